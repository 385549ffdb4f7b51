/* Notices: other agencies operating inside our jurisdiction. */
"use strict";
(() => {
  const list = document.getElementById("notices"), empty = document.getElementById("empty");
  const map = CG.map("map");
  const layer = L.featureGroup().addTo(map);
  (async () => {
    try {
      const agency = await CG.api(`/api/v1/agencies/${list.dataset.agency}`);
      if (agency.jurisdiction) L.geoJSON(agency.jurisdiction, { style: { color: "#2e7d32", weight: 2, fillOpacity: 0.05 } }).addTo(layer);
      const data = await CG.api("/api/v1/notices?limit=200");
      empty.hidden = data.items.length > 0;
      list.innerHTML = data.items.map(n => {
        const o = n.operation;
        return `<li class="card"><span class="badge">${CG.esc(n.kind)}</span> <strong>${CG.esc(o.agency.name)}</strong>
          <div>${CG.span(o.window)}</div><div>${CG.team(o.team)}</div><div>${CG.contact(o.contact)}</div></li>`;
      }).join("");
      for (const n of data.items) {
        const l = CG.areaLayer(n.operation.area, { color: "#c0392b", fillOpacity: 0.3 });
        if (l) l.bindPopup(CG.esc(n.operation.agency.name)).addTo(layer);
      }
      if (layer.getLayers().length) map.fitBounds(layer.getBounds().pad(0.2), { maxZoom: 12 });
    } catch (e) { empty.hidden = false; empty.textContent = e.message; }
  })();
})();
