// Autocomplete for the search box in the header: suggestions from /explore/search.json as the user types.
(function () {
  "use strict";
  const input = document.getElementById("site-search");
  const list = document.getElementById("site-suggestions");
  if (!input || !list) return;
  let timer = null;
  let active = -1;
  let seq = 0;

  function close() { list.hidden = true; list.textContent = ""; active = -1; }

  function show(results) {
    list.textContent = "";
    // typo matches come only when no name matches, all at once: one heading says so
    if (results.length && results[0].fuzzy) {
      const note = document.createElement("li");
      note.className = "did-you-mean";
      note.textContent = list.dataset.didYouMean;
      list.appendChild(note);
    }
    for (const r of results) {
      const li = document.createElement("li");
      const a = document.createElement("a");
      a.href = r.href;
      a.textContent = r.label;
      if (r.matched && r.matched !== r.label) {
        const matched = document.createElement("span");
        matched.textContent = " — " + r.matched;
        // Chinese names in Chinese fonts and voices, as on the pages (the graph's Chinese is simplified)
        if (/[\u3400-\u9fff]/.test(r.matched)) matched.lang = "zh-Hans";
        a.appendChild(matched);
      }
      const kind = document.createElement("span");
      kind.className = "kind";
      kind.textContent = r.kind_title;
      a.appendChild(kind);
      li.appendChild(a);
      list.appendChild(li);
    }
    list.hidden = results.length === 0;
    active = -1;
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q) { close(); return; }
    timer = setTimeout(function () {
      const mine = ++seq;
      fetch("/explore/search.json?limit=10&q=" + encodeURIComponent(q))
        .then(function (r) { return r.json(); })
        .then(function (data) { if (mine === seq) show(data.results); })
        .catch(close);
    }, 120);
  });

  input.addEventListener("keydown", function (event) {
    const links = list.querySelectorAll("a");
    if (list.hidden || !links.length) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : -1) + links.length) % links.length;
      links.forEach(function (a, i) { a.classList.toggle("active", i === active); });
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.href = links[active].href;
    } else if (event.key === "Escape") {
      close();
    }
  });

  document.addEventListener("click", function (event) {
    if (!list.contains(event.target) && event.target !== input) close();
  });
})();
