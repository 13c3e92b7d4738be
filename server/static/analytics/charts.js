// Draws the chart of an analytics page from the JSON the page embeds (#chart-data), with Chart.js.
(function () {
  const source = document.getElementById("chart-data");
  const canvas = document.getElementById("threat-chart");
  if (!source || !canvas || typeof Chart === "undefined") return;
  const spec = JSON.parse(source.textContent);
  const palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
  const groups = spec.groups ? [...new Set(spec.groups)] : null;
  const datasets = spec.datasets.map((dataset, i) => ({
    ...dataset,
    backgroundColor: groups ? spec.groups.map((g) => palette[groups.indexOf(g) % palette.length])
                            : palette[i % palette.length],
  }));
  const scales = { x: { stacked: !!spec.stacked }, y: { stacked: !!spec.stacked } };
  if (spec.log) {
    // a log value axis keeps the few curated (direct) links visible beside thousands of inferred ones
    scales[spec.indexAxis === "y" ? "x" : "y"].type = "logarithmic";
  }
  new Chart(canvas, {
    type: spec.type,
    data: { labels: spec.labels, datasets: datasets },
    options: {
      indexAxis: spec.indexAxis || "x",
      maintainAspectRatio: false,
      scales: scales,
      plugins: {
        tooltip: { callbacks: { title: (items) => {
          const i = items[0].dataIndex;
          return spec.titles ? `${spec.labels[i]} ${spec.titles[i]}` : spec.labels[i];
        } } },
      },
    },
  });
})();
