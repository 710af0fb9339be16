// Draws each SLA target's trend (its last periods' KPI values against the threshold) from the data the page embeds
// with json_script. Periods without data are gaps in the line, not zeros.
(function () {
  "use strict";
  var node = document.getElementById("sla-charts-data");
  if (!node || typeof Chart === "undefined") { return; }
  var colours = { met: "#16a34a", warning: "#d97706", breach: "#dc2626", insufficient: "#9ca3af" };

  function suffix(unit) { return unit === "%" ? "%" : " " + unit; }

  JSON.parse(node.textContent).forEach(function (series) {
    var canvas = document.getElementById("sla-chart-" + series.id);
    if (!canvas) { return; }
    var flat = function (value) { return series.labels.map(function () { return value; }); };
    var datasets = [
      {
        label: series.metric,
        data: series.values,
        borderColor: "#0f4c5c",
        backgroundColor: "#0f4c5c",
        pointBackgroundColor: series.statuses.map(function (s) { return colours[s] || "#0f4c5c"; }),
        pointRadius: 4,
        spanGaps: false,
        tension: 0.2
      },
      {
        label: "Threshold",
        data: flat(series.threshold),
        borderColor: "#dc2626",
        borderDash: [6, 4],
        borderWidth: 1.5,
        pointRadius: 0
      }
    ];
    if (series.warning !== null) {
      datasets.push({
        label: "Warning",
        data: flat(series.warning),
        borderColor: "#d97706",
        borderDash: [2, 3],
        borderWidth: 1,
        pointRadius: 0
      });
    }
    new Chart(canvas, {
      type: "line",
      data: { labels: series.labels, datasets: datasets },
      options: {
        maintainAspectRatio: false,
        animation: false,
        plugins: {
          legend: { position: "bottom", labels: { boxWidth: 12 } },
          tooltip: {
            callbacks: {
              label: function (context) {
                if (context.parsed.y === null) { return context.dataset.label + ": no data"; }
                return context.dataset.label + ": " + context.parsed.y + suffix(series.unit);
              }
            }
          }
        },
        scales: { y: { grace: "10%" } }
      }
    });
    canvas.dataset.rendered = "true";
  });
})();
