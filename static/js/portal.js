// Behaviour every page may use, kept out of the templates so the Content-Security-Policy allows no inline script
// and no inline style. Templates declare what they need with data attributes:
//   data-left="37.5" data-width="12"   position a bar or marker along a track, in percent (transition timeline)
//   data-copy-from="element-id"        a button that copies that input's value to the clipboard
//   data-confirm="question"            a form that asks before it is sent
(function () {
  "use strict";

  function place(root) {
    root.querySelectorAll("[data-left]").forEach(function (element) {
      element.style.left = parseFloat(element.dataset.left) + "%";
      if (element.dataset.width !== undefined) element.style.width = parseFloat(element.dataset.width) + "%";
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-from]");
    if (!button || !navigator.clipboard) return;
    var source = document.getElementById(button.dataset.copyFrom);
    if (source) navigator.clipboard.writeText(source.value);
  });

  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });

  // The stage card: "confirm the step back" shows only when a stage marked "(back)" is chosen.
  function stageForms(root) {
    root.querySelectorAll("[data-testid=status-form]").forEach(function (form) {
      var select = form.querySelector("select[name=status]");
      var confirm = form.querySelector(".stage-back-confirm");
      if (!select || !confirm) return;
      var sync = function () {
        var option = select.options[select.selectedIndex];
        confirm.hidden = !(option && / \(back\)$/.test(option.text));
      };
      select.addEventListener("change", sync);
      sync();
    });
  }

  document.addEventListener("DOMContentLoaded", function () { place(document); stageForms(document); });
  document.addEventListener("htmx:afterSwap", function (event) { place(event.target); });
})();
