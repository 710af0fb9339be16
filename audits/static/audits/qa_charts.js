// Draws the weekly quality trend (average score and pass rate) from the data the page embeds with json_script.
// Weeks without audits are gaps in the lines, not zeros.
(function () {
  "use strict";
  var node = document.getElementById("qa-trend-data");
  var canvas = document.getElementById("qa-trend-chart");
  if (!node || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        { label: "Average score", data: data.averages, borderColor: "#0f4c5c", backgroundColor: "#0f4c5c", tension: 0.2, spanGaps: false },
        { label: "Pass rate (%)", data: data.pass_rates, borderColor: "#16a34a", backgroundColor: "#16a34a", borderDash: [6, 4], tension: 0.2, spanGaps: false }
      ]
    },
    options: {
      maintainAspectRatio: false,
      animation: false,
      scales: { y: { min: 0, max: 100 } },
      plugins: { tooltip: { callbacks: { afterBody: function (items) {
        var n = data.counts[items[0].dataIndex];
        return n + " audit" + (n === 1 ? "" : "s");
      } } } }
    }
  });
})();
