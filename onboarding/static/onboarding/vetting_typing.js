// The portal's typing test: records every key with its time (ms since the first key, backspaces included) and
// sends the log and the final text once. The server recomputes the score from the log; the WPM measured here is
// only shown to the candidate while typing and is not trusted.
(function () {
  "use strict";
  const root = document.getElementById("typing-test");
  if (!root) return;
  const input = document.getElementById("typing-input");
  const clock = document.getElementById("typing-clock");
  const finish = document.getElementById("typing-finish");
  const resultBox = document.getElementById("typing-result");
  const errorBox = document.getElementById("typing-error");
  const duration = parseInt(root.dataset.duration, 10) * 1000;
  const csrf = root.querySelector("input[name=csrfmiddlewaretoken]").value;
  const log = [];
  let started = null;
  let timer = null;
  let sent = false;

  function elapsed() {
    return started === null ? 0 : Math.round(performance.now() - started);
  }

  function tick() {
    const left = Math.max(0, duration - elapsed());
    clock.textContent = Math.ceil(left / 1000);
    if (left <= 0) submit();
  }

  input.addEventListener("keydown", function (event) {
    if (sent) { event.preventDefault(); return; }
    const key = event.key;
    if (key !== "Backspace" && key.length !== 1) return; // shift, arrows and the like leave no character
    if (event.ctrlKey || event.metaKey || event.altKey) { event.preventDefault(); return; } // no pasting, no word-deletes
    if (started === null) {
      started = performance.now();
      timer = window.setInterval(tick, 200);
    }
    log.push({ t: elapsed(), k: key });
  });
  input.addEventListener("paste", function (event) { event.preventDefault(); });
  input.addEventListener("drop", function (event) { event.preventDefault(); });

  function submit() {
    if (sent) return;
    sent = true;
    if (timer) window.clearInterval(timer);
    input.readOnly = true;
    finish.disabled = true;
    fetch(root.dataset.submitUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      credentials: "same-origin",
      body: JSON.stringify({ keystrokes: log, text: input.value }),
    })
      .then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      })
      .then(function (answer) {
        if (!answer.ok) throw new Error(answer.body.detail || "The test could not be sent.");
        resultBox.textContent = "Thank you — your test was received: " + answer.body.net_wpm + " net words per minute, "
          + answer.body.accuracy + "% accuracy.";
        resultBox.classList.remove("d-none");
      })
      .catch(function (error) {
        errorBox.textContent = error.message;
        errorBox.classList.remove("d-none");
      });
  }

  finish.addEventListener("click", submit);
})();
