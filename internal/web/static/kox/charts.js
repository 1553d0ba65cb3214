// Draws every chart on the page: an element with data-chart holds its
// ECharts option as JSON (kox writes no inline script). The table beside
// each chart says the same in words.
(function () {
  "use strict";
  var charts = [];
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var c = echarts.init(el, null, { renderer: "svg" });
    c.setOption(JSON.parse(el.getAttribute("data-chart")));
    charts.push(c);
  });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
