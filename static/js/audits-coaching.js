// Charts of the calibration and sampling pages, from data each page embeds with json_script; nothing is fetched.
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  var coverage = data("coverage-chart-data");
  var coverageCanvas = document.getElementById("coverage-chart");
  if (coverage && coverageCanvas) {
    new Chart(coverageCanvas, {
      type: "bar",
      data: {
        labels: coverage.labels,
        datasets: [
          { label: "Due", data: coverage.due, backgroundColor: "#cbd5e1", borderRadius: 3 },
          { label: "Done", data: coverage.done, backgroundColor: "#16a34a", borderRadius: 3 }
        ]
      },
      options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  var history = data("calibration-history-data");
  var historyCanvas = document.getElementById("calibration-history-chart");
  if (history && historyCanvas) {
    new Chart(historyCanvas, {
      type: "line",
      data: {
        labels: history.labels,
        datasets: [
          { label: "Mean absolute deviation (points)", data: history.mad, borderColor: "#6366f1", tension: 0.2 },
          { label: "Bias (points; below 0 harsher)", data: history.bias, borderColor: "#d97706", tension: 0.2 }
        ]
      },
      options: { scales: { y: { suggestedMin: -25, suggestedMax: 25 } } }
    });
  }
})();
