/* Notices: other agencies operating inside our jurisdiction. */
"use strict";
(() => {
  const list = document.getElementById("notices"), empty = document.getElementById("empty");
  const map = CG.map("map");
  const layer = L.featureGroup().addTo(map);
  const mayRespond = list.dataset.respond === "yes";
  // The host's answer, and (for those who answer for the agency) the buttons that give or change it.
  const RESPONSES = [["aware_not_assisting", "Aware – not assisting"], ["standing_by_for_public_safety", "Standing by for public safety"],
                     ["assisting", "Assisting"], ["request_contact", "Request contact"]];
  function answer(n) {
    const given = n.response ? `<div class="answered">Our answer: <strong>${CG.esc(CG.label(n.response.response))}</strong>${n.response.note ? ` – ${CG.esc(n.response.note)}` : ""}</div>` : "";
    if (!mayRespond) return given;
    return `${given}<div class="actions respond" role="group" aria-label="Answer this notice">${RESPONSES.map(([v, words]) =>
      `<button type="button" data-response="${v}"${n.response && n.response.response === v ? ' aria-pressed="true"' : ""}>${words}</button>`).join("")}
      <input type="text" class="note" maxlength="1000" placeholder="Note to the operating agency (optional)" aria-label="Note to the operating agency"></div>
      <p class="error" role="alert" hidden></p>`;
  }
  list.addEventListener("click", async ev => {
    const button = ev.target.closest("button[data-response]");
    if (!button) return;
    const card = button.closest("[data-notice]"), error = card.querySelector(".error"), note = card.querySelector(".note").value.trim();
    card.querySelectorAll("button[data-response]").forEach(b => { b.disabled = true; });
    try {
      const body = { response: button.dataset.response, ...(note ? { note } : {}) };
      const saved = await CG.api(`/api/v1/notices/${card.dataset.notice}/response`, { method: "POST", body });
      const fresh = document.createElement("div");
      fresh.innerHTML = answer(saved);
      card.querySelectorAll(".answered, .respond, .error").forEach(el => el.remove());
      card.append(...fresh.childNodes);
    } catch (e) {
      error.hidden = false; error.textContent = e.message;
      card.querySelectorAll("button[data-response]").forEach(b => { b.disabled = false; });
    }
  });
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
          return `<li class="card" data-notice="${CG.esc(n.id)}"><span class="badge">${CG.esc(CG.label(n.kind))}</span> <strong>${CG.esc(o.agency.name)}</strong>
            <div>${CG.span(o.window)}</div><div>${CG.team(o.team)}</div><div>${CG.contact(o.contact)}</div>${answer(n)}</li>`;
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
