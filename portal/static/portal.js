// Draws every chart of the page from its embedded data with plotly (served by the portal itself).
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".chart").forEach(function (box) {
    var spec = JSON.parse(box.querySelector(".chart-data").textContent);
    var traces = spec.series.map(function (s) {
      if (spec.kind === "pie") { return { type: "pie", labels: s.x, values: s.y, name: s.name, hole: 0.35 }; }
      return { type: spec.kind === "line" ? "scatter" : "bar", mode: "lines+markers", x: s.x, y: s.y, name: s.name };
    });
    var layout = { title: { text: spec.title, font: { size: 14 } }, margin: { l: 110, r: 10, t: 40, b: 90 },
                   barmode: "group", separators: ".,", yaxis: { tickformat: ",.0f", automargin: true },
                   xaxis: { type: "category", automargin: true }, legend: { orientation: "h" } };
    Plotly.newPlot(box, traces, layout, { displaylogo: false, responsive: true }).then(function () {
      box.setAttribute("data-rendered", "1");
    });
  });
});
