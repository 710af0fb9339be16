// The "propose a change" form: show only the fields the chosen kind of change uses. The server still checks
// every field; hidden fields are cleared so nothing a person cannot see is sent.
(function () {
  "use strict";
  const form = document.querySelector('[data-testid="change-request-form"]');
  if (!form) return;
  const kind = form.querySelector('[name="kind"]');

  function update() {
    form.querySelectorAll(".change-field").forEach(function (wrapper) {
      const used = kind.value && wrapper.dataset.kinds.split(" ").includes(kind.value);
      wrapper.hidden = !used;
      wrapper.querySelectorAll("input, select, textarea").forEach(function (input) {
        input.disabled = !used;
      });
    });
  }

  kind.addEventListener("change", update);
  update();
})();
