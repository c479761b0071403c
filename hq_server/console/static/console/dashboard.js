// The dashboard's charts: the figures come in the page (a JSON script element), ECharts draws them.
document.addEventListener("DOMContentLoaded", function () {
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var L = data.labels;
  var days = echarts.init(document.getElementById("chart-days"));
  days.setOption({
    tooltip: { trigger: "axis" }, legend: { top: 0 }, grid: { left: 50, right: 16, top: 36, bottom: 28 },
    xAxis: { type: "category", data: data.series.map(function (d) { return d.day.slice(5); }) },
    yAxis: { type: "value" },
    series: [
      { name: L.issued, type: "bar", data: data.series.map(function (d) { return d.issued; }), itemStyle: { color: "#c8102e" } },
      { name: L.redeemed, type: "bar", data: data.series.map(function (d) { return d.redeemed; }), itemStyle: { color: "#1456a8" } },
      { name: L.expired, type: "line", data: data.series.map(function (d) { return d.expired; }), itemStyle: { color: "#ad4e00" } }
    ]
  });
  var stores = echarts.init(document.getElementById("chart-stores"));
  var ranked = data.stores.slice().reverse();
  stores.setOption({
    tooltip: { trigger: "axis" }, grid: { left: 110, right: 24, top: 8, bottom: 24 },
    xAxis: { type: "value" },
    yAxis: { type: "category", data: ranked.map(function (s) { return s.name; }) },
    series: [{ name: L.issued, type: "bar", data: ranked.map(function (s) { return s.points_issued; }), itemStyle: { color: "#c8102e" } }]
  });
  window.addEventListener("resize", function () { days.resize(); stores.resize(); });
});
