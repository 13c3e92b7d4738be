// The interactive graph of a resource page (Cytoscape.js): the node's neighbourhood, expanded by click,
// filtered by node and edge type, and a path view to another node. The page reads fine without it.
(function () {
  "use strict";
  const host = document.querySelector(".graph-view[data-iri]");
  if (!host || typeof window.cytoscape !== "function") return;
  const centre = host.dataset.iri;
  // the interface's words in the page's language (server/templates/explorer/resource.html), English without them
  const T = Object.assign({
    nodes: "Nodes", links: "Links", pathTo: "Path to", nameOrIri: "name or IRI", findPath: "Find path", reset: "Reset",
    hint: "Click a node to expand it; the link below opens its page.", loading: "Loading…",
    loadFailed: "Could not load the neighbourhood.", selected: "Selected:", newElements: "new elements",
    searching: "Searching for a path…", noMatch: "No resource matches:", noPath: "No path of at most 4 links found.",
    path: "Path:", pathFailed: "Could not search for a path.",
  }, host.dataset.messages ? JSON.parse(host.dataset.messages) : {});

  const COLOURS = {
    species: "#2e7d32", taxon: "#81c784", ecoregion: "#e07b39", threat: "#c62828", action: "#1565c0",
    initiative: "#6a1b9a", source: "#5d4037", "red-list-category": "#f9a825", group: "#00838f", other: "#78909c",
  };

  host.innerHTML = "";
  const panel = el("div", "graph-panel");
  const controls = el("div", "graph-controls");
  const nodeFilters = el("fieldset");
  nodeFilters.appendChild(el("legend", "", T.nodes));
  const edgeFilters = el("fieldset");
  edgeFilters.appendChild(el("legend", "", T.links));
  const pathForm = el("form", "graph-path");
  pathForm.innerHTML = '<label><span></span> <input name="to" size="18"></label> <button type="submit"></button> <button type="button" class="reset"></button>';
  pathForm.querySelector("label span").textContent = T.pathTo;
  pathForm.elements.to.placeholder = T.nameOrIri;
  pathForm.querySelector('button[type="submit"]').textContent = T.findPath;
  pathForm.querySelector(".reset").textContent = T.reset;
  controls.append(nodeFilters, edgeFilters, pathForm);
  const canvas = el("div", "graph-canvas");
  canvas.id = "graph-canvas";
  const status = el("div", "graph-status", T.hint);
  status.setAttribute("aria-live", "polite");
  panel.append(controls, canvas, status);
  host.appendChild(panel);

  const cy = window.cytoscape({
    container: canvas,
    maxZoom: 1.6,
    style: [
      { selector: "node", style: {
        "background-color": function (n) { return COLOURS[n.data("kind")] || COLOURS.other; },
        label: "data(label)", "font-size": 9, "text-wrap": "ellipsis", "text-max-width": 110, width: 16, height: 16,
        "text-valign": "bottom", "text-margin-y": 2, color: "#1d2a2f" } },
      { selector: "node.centre", style: { width: 26, height: 26, "border-width": 3, "border-color": "#000" } },
      { selector: "node.expanded", style: { "border-width": 2, "border-color": "#333" } },
      { selector: "edge", style: { width: 1, "line-color": "#b0bec5", "target-arrow-shape": "triangle",
        "target-arrow-color": "#b0bec5", "curve-style": "bezier", label: "data(label)", "font-size": 7,
        color: "#607d8b", "text-rotation": "autorotate" } },
      { selector: ".path", style: { "line-color": "#e53935", "target-arrow-color": "#e53935", width: 3,
        "border-color": "#e53935", "border-width": 3 } },
      { selector: ".hidden", style: { display: "none" } },
    ],
  });
  window.amurkgGraph = cy; // for the browser tests and for curious users in the console

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function kindOf(node) {
    return node.kind === "taxon" && node.type === "dwc:Taxon" ? "taxon" : node.kind;
  }

  function add(data) {
    const added = [];
    for (const n of data.nodes) {
      if (cy.getElementById(n.id).empty()) {
        added.push({ group: "nodes", data: { id: n.id, label: n.label, href: n.href, kind: n.kind, type: n.type } });
      }
    }
    for (const e of data.edges) {
      if (cy.getElementById(e.id).empty()) added.push({ group: "edges", data: e });
    }
    cy.add(added);
    refreshFilters();
    return added.length;
  }

  function expand(iri) {
    const node = cy.getElementById(iri);
    status.textContent = T.loading;
    return fetch("/explore/neighbourhood.json?iri=" + encodeURIComponent(iri))
      .then(function (r) { return r.json(); })
      .then(function (data) {
        const count = add(data);
        cy.getElementById(iri).addClass("expanded");
        layout();
        describe(cy.getElementById(iri), count);
      })
      .catch(function () { status.textContent = T.loadFailed; });
  }
  window.amurkgExpand = expand;

  function describe(node, count) {
    status.textContent = "";
    if (node.empty()) return;
    const a = el("a", "", node.data("label"));
    a.href = node.data("href");
    status.append(T.selected + " ", a, " (" + node.data("type") + ")" + (count ? ", " + T.newElements + ": " + count : ""));
  }

  function layout() {
    cy.layout({ name: "cose", animate: false, randomize: false, nodeRepulsion: 6000, idealEdgeLength: 70 }).run();
  }

  function checkbox(fieldset, value, attr) {
    const existing = fieldset.querySelector('input[value="' + CSS.escape(value) + '"]');
    if (existing) return;
    const label = el("label");
    const box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = value;
    box.dataset.filter = attr;
    box.addEventListener("change", applyFilters);
    label.append(box, " " + value);
    fieldset.appendChild(label);
  }

  function refreshFilters() {
    cy.nodes().forEach(function (n) { checkbox(nodeFilters, n.data("kind"), "kind"); });
    cy.edges().forEach(function (e) { checkbox(edgeFilters, e.data("label"), "label"); });
    applyFilters();
  }

  function applyFilters() {
    const hiddenKinds = new Set([...nodeFilters.querySelectorAll("input:not(:checked)")].map(function (b) { return b.value; }));
    const hiddenLinks = new Set([...edgeFilters.querySelectorAll("input:not(:checked)")].map(function (b) { return b.value; }));
    cy.nodes().forEach(function (n) { n.toggleClass("hidden", hiddenKinds.has(n.data("kind")) && n.id() !== centre); });
    cy.edges().forEach(function (e) { e.toggleClass("hidden", hiddenLinks.has(e.data("label"))); });
  }

  cy.on("tap", "node", function (event) {
    const node = event.target;
    describe(node, 0);
    if (!node.hasClass("expanded")) expand(node.id());
  });

  function resolve(text) {
    if (/^https?:\/\//.test(text)) return Promise.resolve(text);
    return fetch("/explore/search.json?limit=1&q=" + encodeURIComponent(text))
      .then(function (r) { return r.json(); })
      .then(function (data) { return data.results.length ? data.results[0].iri : null; });
  }

  pathForm.addEventListener("submit", function (event) {
    event.preventDefault();
    const text = pathForm.elements.to.value.trim();
    if (!text) return;
    status.textContent = T.searching;
    resolve(text).then(function (target) {
      if (!target) { status.textContent = T.noMatch + " " + text; return null; }
      return fetch("/explore/path.json?from=" + encodeURIComponent(centre) + "&to=" + encodeURIComponent(target))
        .then(function (r) { return r.json(); })
        .then(function (data) {
          cy.elements().removeClass("path");
          if (!data.found) { status.textContent = T.noPath; return; }
          add(data);
          data.nodes.forEach(function (n) { cy.getElementById(n.id).addClass("path"); });
          data.edges.forEach(function (e) { cy.getElementById(e.id).addClass("path"); });
          layout();
          status.textContent = T.path + " " + data.nodes.map(function (n) { return n.label; }).join(" → ");
        });
    }).catch(function () { status.textContent = T.pathFailed; });
  });

  pathForm.querySelector(".reset").addEventListener("click", function () {
    cy.elements().remove();
    expand(centre).then(function () { cy.getElementById(centre).addClass("centre"); });
  });

  expand(centre).then(function () { cy.getElementById(centre).addClass("centre"); });
})();
