// The query editor (YASGUI from npm, served locally): the graph's endpoint and prefixes, the research questions.
(function () {
  "use strict";
  const host = document.getElementById("yasgui");
  const data = JSON.parse(document.getElementById("examples-data").textContent);
  if (!host || typeof window.Yasgui !== "function") return;
  const prefixLines = Object.entries(data.prefixes).map(function (kv) { return "PREFIX " + kv[0] + ": <" + kv[1] + ">"; });
  const start = prefixLines.join("\n") + "\n\nSELECT ?species ?name ?category WHERE {\n" +
    "  ?species amur:redListCategory/skos:notation ?category ; rdfs:label ?name .\n" +
    "  FILTER (?category IN (\"CR\", \"EN\"))\n} ORDER BY ?category ?name";
  const endpoint = window.location.origin + "/sparql";
  const yasgui = new window.Yasgui(host, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null, // no localStorage state: the page always opens on the graph's own endpoint
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: { value: start },
  });
  window.amurkgYasgui = yasgui;

  function load(name, run) {
    const example = data.examples.find(function (q) { return q.name === name; });
    if (!example) return;
    const tab = yasgui.getTab();
    tab.setQuery(example.text);
    host.scrollIntoView({ behavior: "smooth" });
    if (run) tab.query();
  }

  document.querySelectorAll(".load-example").forEach(function (button) {
    button.addEventListener("click", function () { load(button.dataset.name, true); });
  });
  if (data.selected) load(data.selected, false);
})();
