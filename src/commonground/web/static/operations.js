/* Operation entry: click the map, see the radius, get the answer in plain words at once. */
"use strict";
(() => {
  const form = document.getElementById("op-form"), answer = document.getElementById("answer");
  const mine = document.getElementById("mine"), title = document.getElementById("form-title");
  const map = CG.map("map");
  const others = L.featureGroup().addTo(map);
  let circle = null, polygon = [], polyLayer = null, drawing = false;

  function place() {
    const lat = parseFloat(form.lat.value), lon = parseFloat(form.lon.value), r = parseFloat(form.radius_m.value) || 0;
    if (Number.isNaN(lat) || Number.isNaN(lon)) return;
    if (!circle) circle = L.circle([lat, lon], { radius: r, color: "#1f6feb", weight: 2, fillOpacity: 0.15 }).addTo(map);
    circle.setLatLng([lat, lon]); circle.setRadius(r);
  }
  function drawPolygon() {
    if (polyLayer) polyLayer.remove();
    polyLayer = polygon.length ? L.polygon(polygon, { color: "#6a1b9a", weight: 2, fillOpacity: 0.15 }).addTo(map) : null;
    document.getElementById("clear-polygon").hidden = !polygon.length;
  }
  map.on("click", ev => {
    if (drawing) { polygon.push([ev.latlng.lat, ev.latlng.lng]); drawPolygon(); return; }
    form.lat.value = ev.latlng.lat.toFixed(5); form.lon.value = ev.latlng.lng.toFixed(5);
    place();
  });
  for (const f of ["lat", "lon", "radius_m"]) form[f].addEventListener("input", place);
  const setPoint = (lat, lon) => { form.lat.value = lat.toFixed(5); form.lon.value = lon.toFixed(5); place(); };
  map.on("cg:located", ev => setPoint(ev.latlng.lat, ev.latlng.lng));
  CG.addressFinder(form.address, document.getElementById("find-address"), document.getElementById("found"), (lat, lon) => {
    setPoint(lat, lon); map.setView([lat, lon], 16);
  });
  document.getElementById("draw-polygon").addEventListener("click", ev => {
    drawing = !drawing; ev.target.textContent = drawing ? "Finish polygon" : "Draw a polygon instead";
  });
  document.getElementById("clear-polygon").addEventListener("click", () => { polygon = []; drawPolygon(); });

  function body() {
    const v = n => form[n].value.trim() || null;
    const data = {
      type: v("type"), purpose: v("purpose"), title: v("title"), case_number: v("case_number"),
      starts_at: CG.fromWall(form.starts_at.value), ends_at: CG.fromWall(form.ends_at.value),
      contact: { name: v("contact_name"), phone: v("contact_phone"), radio: v("contact_radio") },
      team: { personnel: parseInt(form.personnel.value, 10) || null, attire: v("attire"), vehicles: v("vehicles") },
      risk: v("risk"), notes: v("notes"),
    };
    if (form.on_behalf_agency && form.on_behalf_agency.value && !form.op_id.value) {  // the watch, for a caller
      data.on_behalf_of = { agency_id: form.on_behalf_agency.value, caller_name: v("caller_name"), caller_phone: v("caller_phone") };
    }
    if (v("exigent_reason") && !form.op_id.value) data.exigent = { reason: v("exigent_reason") };
    if (polygon.length >= 3) {
      const ring = polygon.map(([la, lo]) => [lo, la]); ring.push(ring[0]);
      Object.assign(data, { geometry: { type: "Polygon", coordinates: [ring] }, radius_m: 0, address: v("address") });
    } else {
      data.location = { lat: parseFloat(form.lat.value), lon: parseFloat(form.lon.value),
                        radius_m: parseFloat(form.radius_m.value), address: v("address") };
    }
    return data;
  }
  function show(op) {
    const conflicts = op.conflicts || [];
    answer.hidden = false;
    // Never a false clear: an installation that could not be checked is named, and "Clear" is not said.
    const unchecked = (op.federation && op.federation.unchecked) || op.federation_unchecked || [];
    answer.className = "answer " + (conflicts.length || unchecked.length ? "conflict" : "clear");
    const pending = unchecked.map(n => `<p><strong>Not fully checked.</strong> Could not check installation
      ${CG.esc(n)}; will keep trying, and any conflict found there will reach you.</p>`).join("");
    answer.innerHTML = (conflicts.length
      ? conflicts.map(c => `<p>${CG.conflictWords(c)}</p>`).join("")
      : unchecked.length
        ? `<p>No other operation was found near this place and time where it could be checked. Saved as ${CG.esc(op.status)}.</p>`
        : `<p><strong>Clear.</strong> No other operation is near this place and time. Saved as ${CG.esc(op.status)}.</p>`) + pending;
    others.clearLayers();
    for (const c of conflicts) {
      const l = c.counterpart && CG.areaLayer(c.counterpart.area, { color: "#c0392b", fillOpacity: 0.3 });
      if (l) l.bindPopup(CG.conflictWords(c)).addTo(others);
    }
    // The map shows what the answer is about: this operation and the ones it meets.
    if (others.getLayers().length) {
      const bounds = others.getBounds();
      if (circle) bounds.extend(circle.getBounds());
      map.fitBounds(bounds.pad(0.3), { maxZoom: 16 });
    }
    bringIntoView();
  }
  /** The answer, good or bad, is where the eyes and the keyboard go next: never scrolled away above. */
  function bringIntoView() {
    answer.scrollIntoView({ block: "start" });
    answer.focus({ preventScroll: true });
  }
  const FIELDS = { "location.lat": "lat", "location.lon": "lon", "location.radius_m": "radius_m", "contact.name": "contact_name",
                   "contact.phone": "contact_phone", "team.personnel": "personnel", "team.attire": "attire" };
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const id = form.op_id.value;
    try {
      const op = id
        ? await CG.api(`/api/v1/operations/${id}`, { method: "PATCH", body: body(), headers: { "If-Match": form.op_version.value } })
        : await CG.api("/api/v1/operations", { method: "POST", body: body() });
      form.op_id.value = op.id; form.op_version.value = op.version; title.textContent = "Edit operation";
      show(op); loadMine();
      form.dispatchEvent(new CustomEvent("cg:saved"));
    } catch (e) {
      answer.hidden = false; answer.className = "answer error"; answer.textContent = "Not saved: " + e.message;
      for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
      const field = form[FIELDS[e.field] || e.field];
      if (field && field.setAttribute) field.setAttribute("aria-invalid", "true");
      bringIntoView();
    }
  });
  function reset() {
    form.reset(); form.op_id.value = ""; form.op_version.value = ""; title.textContent = "New operation";
    const start = Math.ceil(Date.now() / 3600e3) * 3600e3 + 3600e3;  // the hour after next, on the hour
    form.starts_at.value = CG.toWall(start); form.ends_at.value = CG.toWall(start + 3 * 3600e3);
    polygon = []; drawPolygon(); answer.hidden = true; others.clearLayers();
    if (circle) { circle.remove(); circle = null; }
  }
  document.getElementById("new-op").addEventListener("click", reset);

  function edit(op) {
    reset();
    form.op_id.value = op.id; form.op_version.value = op.version; title.textContent = "Edit operation";
    for (const k of ["type", "purpose", "title", "case_number", "risk", "notes"]) if (op[k] != null) form[k].value = op[k];
    form.address.value = op.address || "";
    form.starts_at.value = CG.toWall(op.window.starts_at); form.ends_at.value = CG.toWall(op.window.ends_at);
    form.contact_name.value = op.contact.name || ""; form.contact_phone.value = op.contact.phone || "";
    form.contact_radio.value = op.contact.radio || "";
    form.personnel.value = op.team.personnel || ""; form.attire.value = op.team.attire || "uniform";
    form.vehicles.value = op.team.vehicles || "";
    if (op.area.type === "Point") {
      form.lon.value = op.area.coordinates[0]; form.lat.value = op.area.coordinates[1];
      form.radius_m.value = op.area.radius_m || 0; place();
      map.setView([op.area.coordinates[1], op.area.coordinates[0]], 15);
    } else if (op.area.type === "Polygon") {
      polygon = op.area.coordinates[0].slice(0, -1).map(([lo, la]) => [la, lo]); drawPolygon();
      map.fitBounds(polyLayer.getBounds());
    }
    form.scrollIntoView();
  }
  let ops = [];
  async function loadMine() {
    try {
      const data = await CG.api("/api/v1/operations?limit=100");
      ops = data.items.filter(o => (o.status === "planned" || o.status === "active") && !o.purged_at);  // a purged shell no longer changes
      mine.innerHTML = ops.map(o => `<li class="card" data-id="${CG.esc(o.id)}"><strong>${CG.esc(o.title)}</strong>
        <span class="badge">${CG.esc(CG.label(o.status))}</span><div>${CG.span(o.window)} · ${CG.esc(o.address || "")}</div>
        <div class="row"><button type="button" data-act="edit">Edit</button><button type="button" data-act="incident">Report incident</button>
        <button type="button" data-act="complete">Complete</button>
        <button type="button" data-act="cancel" class="danger">Cancel</button></div></li>`).join("") || "<li class=hint>None planned.</li>";
    } catch (e) { mine.innerHTML = `<li class="error">${CG.esc(e.message)}</li>`; }
  }
  mine.addEventListener("click", async ev => {
    const b = ev.target.closest("button[data-act]");
    if (!b) return;
    const id = b.closest("li").dataset.id, op = ops.find(o => o.id === id);
    if (b.dataset.act === "edit") return edit(op);
    if (b.dataset.act === "complete") return afterAction(b.closest("li"));
    if (b.dataset.act === "back") return loadMine();
    if (b.dataset.act === "incident") return CG.incidentForm(op);
    if (b.dataset.act === "cancel" && !confirm("Cancel this operation?")) return;
    try { await CG.api(`/api/v1/operations/${id}/${b.dataset.act}`, { method: "POST" }); } catch (e) { alert(e.message); }
    loadMine();
  });
  // Completing asks how it went (the after-action); every part may be left blank.
  const OUTCOMES = ["completed_as_planned", "changed", "aborted"], MET = ["blue_on_blue", "local_response_to_911", "crowd", "other"];
  const options = (values, blank) => `<option value="">${blank}</option>` + values.map(v => `<option value="${v}">${CG.esc(CG.label(v))}</option>`).join("");
  function afterAction(card) {
    if (card.querySelector("form.after-action")) return;
    card.insertAdjacentHTML("beforeend", `<form class="after-action">
      <label>How did it go? <select name="outcome">${options(OUTCOMES, "– no report –")}</select></label>
      <label>Summary <textarea name="summary" maxlength="4000" rows="2"></textarea></label>
      <fieldset><legend>Did you meet anyone you did not expect?</legend>
        <label>Who <select name="kind">${options(MET, "– nobody –")}</select></label>
        <label>What happened <input name="note" maxlength="2000"></label></fieldset>
      <div class="row"><button type="submit" class="primary">Complete the operation</button><button type="button" data-act="back">Back</button></div>
      <p class="error" role="alert" hidden></p></form>`);
    const f = card.querySelector("form.after-action");
    f.outcome.focus();
    f.addEventListener("submit", async ev => {
      ev.preventDefault();
      const error = f.querySelector(".error"), outcome = f.outcome.value, summary = f.summary.value.trim();
      const encounters = f.kind.value ? [{ kind: f.kind.value, note: f.note.value.trim() }] : [];
      if (!outcome && (summary || encounters.length)) { error.hidden = false; error.textContent = "Choose how it went, or clear the report."; f.outcome.focus(); return; }
      const body = outcome ? { outcome, ...(summary ? { summary } : {}), encounters } : undefined;
      try {
        await CG.api(`/api/v1/operations/${card.dataset.id}/complete`, { method: "POST", body });
        loadMine();
      } catch (e) { error.hidden = false; error.textContent = e.message; }
    });
  }
  if (form.on_behalf_agency) {  // the agencies a caller may be phoning for
    CG.api("/api/v1/agencies?limit=500").then(page => {
      for (const a of page.items) form.on_behalf_agency.insertAdjacentHTML("beforeend", `<option value="${CG.esc(a.id)}">${CG.esc(a.name)} (${CG.esc(a.ori)})</option>`);
    }).catch(() => {});
  }
  reset(); loadMine();
})();
