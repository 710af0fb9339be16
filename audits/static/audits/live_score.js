// The audit form's live score. Every change posts the form to the audit's score-preview URL, where the one score
// function (audits/scoring.py) answers; nothing is computed here, so the preview cannot disagree with submission.
(function () {
  "use strict";
  var form = document.getElementById("rating-form");
  if (!form || !window.fetch) { return; }
  var scoreNode = document.getElementById("live-score");
  var resultNode = document.getElementById("live-result");
  var progressNode = document.getElementById("live-progress");
  var pending = null;

  function show(data) {
    progressNode.textContent = data.rated + " of " + data.total + " criteria rated";
    if (data.score === null) {
      scoreNode.textContent = "—";
      resultNode.textContent = "";
      return;
    }
    scoreNode.textContent = data.score;
    if (data.critical_failed) {
      resultNode.textContent = "Critical fail (" + data.score_before_critical + " before the critical criterion)";
      resultNode.className = "small text-danger";
    } else if (data.passed) {
      resultNode.textContent = "At or above the pass mark (" + data.pass_mark + ")";
      resultNode.className = "small text-success";
    } else {
      resultNode.textContent = "Below the pass mark (" + data.pass_mark + ")";
      resultNode.className = "small text-warning-emphasis";
    }
  }

  function refresh() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(form.dataset.scoreUrl, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
      signal: pending.signal
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) { if (data) { show(data); } })
      .catch(function () { /* a newer request replaced this one, or the network failed: keep the last score */ });
  }

  form.addEventListener("change", function (event) {
    if (event.target.tagName === "SELECT") { refresh(); }
  });
  refresh();
})();
