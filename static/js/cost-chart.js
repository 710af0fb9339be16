// Draws the cost page's chart (projected vs actual vs net, and for the practice its in-house cost and savings)
// from the data the page embeds with json_script.
(function () {
  "use strict";
  var node = document.getElementById("cost-chart-data");
  var canvas = document.getElementById("cost-chart");
  if (!node || !canvas || typeof Chart === "undefined") { return; }
  var data = JSON.parse(node.textContent);
  var line = function (label, values, colour, dash) {
    return { type: "line", label: label, data: values, borderColor: colour, backgroundColor: colour,
      borderDash: dash || [], pointRadius: 3, tension: 0.2 };
  };
  var datasets = [
    line("Projected", data.projected, "#6b7280", [6, 4]),
    line("Actual", data.actual, "#0f4c5c"),
    line("Net of credits", data.net, "#0891b2", [2, 3])
  ];
  if (data.in_house) {
    datasets.push(line("In-house", data.in_house, "#dc2626", [4, 4]));
    datasets.push({ type: "bar", label: "Savings", data: data.savings, backgroundColor: "rgba(22, 163, 74, 0.35)",
      borderColor: "#16a34a", borderWidth: 1 });
  }
  new Chart(canvas, {
    data: { labels: data.labels, datasets: datasets },
    options: {
      maintainAspectRatio: false,
      animation: false,
      plugins: {
        legend: { position: "bottom", labels: { boxWidth: 12 } },
        tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": $" + c.parsed.y.toLocaleString(); } } }
      },
      scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return "$" + v.toLocaleString(); } } } }
    }
  });
  canvas.dataset.rendered = "true";
})();
