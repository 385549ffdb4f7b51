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
      const now = Date.now(), today = CG.toWall(now).slice(0, 10);
      // Grouped by when the team is out, in the agency's day: now, later today, later; ended last.
      const group = n => {
        const s = Date.parse(n.operation.window.starts_at), e = Date.parse(n.operation.window.ends_at);
        if (e <= now) return "ended";
        if (s <= now) return "now";
        return CG.toWall(s).slice(0, 10) === today ? "today" : "later";
      };
      const heads = { now: "Out now", today: "Later today", later: "Later", ended: "Ended" };
      const sorted = [...data.items].sort((a, b) => Date.parse(a.operation.window.starts_at) - Date.parse(b.operation.window.starts_at));
      list.innerHTML = Object.keys(heads).map(g => {
        const items = sorted.filter(n => group(n) === g);
        if (!items.length) return "";
        return `<li class="group" data-group="${g}"><h2>${heads[g]} <small>${items.length}</small></h2><ol class="cards">${items.map(n => {
          const o = n.operation;
          return `<li class="card"><span class="badge">${CG.esc(CG.label(n.kind))}</span> <strong>${CG.esc(o.agency.name)}</strong>
            <div>${CG.span(o.window)}</div><div>${CG.team(o.team)}</div><div>${CG.contact(o.contact)}</div></li>`;
        }).join("")}</ol></li>`;
      }).join("");
      for (const n of data.items) {
        const l = CG.areaLayer(n.operation.area, { color: "#c0392b", fillOpacity: 0.3 });
        if (l) l.bindPopup(CG.esc(n.operation.agency.name)).addTo(layer);
      }
      if (layer.getLayers().length) map.fitBounds(layer.getBounds().pad(0.2), { maxZoom: 12 });
    } catch (e) { empty.hidden = false; empty.textContent = e.message; }
  })();
})();
