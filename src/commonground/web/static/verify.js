/* "Verify a team here": an officer on scene asks GET /api/v1/verify, by their location or typed coordinates. */
"use strict";
(() => {
  const form = document.getElementById("verify-form");
  if (!form) return;
  const result = document.getElementById("verify-result"), teams = document.getElementById("verify-teams");
  const esc = CG.esc;
  // Who the team declared: a non-uniformed officer shows agency plus name or badge number.
  function identity(team) {
    const members = (team.members || []).map(m => [m.name, m.badge_number ? `badge ${m.badge_number}` : "", m.role]
      .filter(Boolean).map(esc).join(", "));
    const cars = (team.vehicles_detail || []).map(v => `${esc(v.description)}${v.plate ? ` — plate ${esc(v.plate)}${v.state ? ` (${esc(v.state)})` : ""}` : ""}${v.marked ? " (marked)" : ""}`);
    const parts = [];
    if (members.length) parts.push(`<div class="members"><strong>Members:</strong> ${members.join("; ")}</div>`);
    if (cars.length) parts.push(`<div class="vehicles"><strong>Vehicles:</strong> ${cars.join("; ")}</div>`);
    if (team.talkgroup) parts.push(`<div><strong>Talkgroup:</strong> ${esc(team.talkgroup)}</div>`);
    if (team.visible_identification !== undefined) parts.push(`<div>${team.visible_identification ? "Wearing visible agency identification" : "No visible identification"}</div>`);
    if (team.recognition) parts.push(`<div class="recognition"><strong>Recognition signal:</strong> ${esc(team.recognition)}</div>`);
    return parts.join("");
  }
  document.getElementById("verify-here").addEventListener("click", () => {
    if (!navigator.geolocation) { result.innerHTML = `<p class="error">This device cannot give its location: type the coordinates.</p>`; return; }
    result.innerHTML = `<p class="hint">Finding your location…</p>`;
    navigator.geolocation.getCurrentPosition(pos => {
      form.here_lat.value = pos.coords.latitude.toFixed(5); form.here_lon.value = pos.coords.longitude.toFixed(5);
      form.requestSubmit();
    }, err => { result.innerHTML = `<p class="error">No location (${esc(err.message)}): type the coordinates.</p>`; },
    { enableHighAccuracy: true, timeout: 10000 });
  });
  form.addEventListener("submit", async ev => {
    ev.preventDefault();
    const lat = parseFloat(form.here_lat.value), lon = parseFloat(form.here_lon.value), r = parseFloat(form.here_radius_m.value) || 200;
    try {
      const data = await CG.api(`/api/v1/verify?lat=${lat}&lon=${lon}&radius_m=${r}`);
      const found = data.teams || [];
      result.innerHTML = found.length
        ? `<p class="alert"><strong>${found.length} registered team${found.length > 1 ? "s" : ""} within ${CG.metres(r)}.</strong> Call before approaching.</p>`
        : `<p class="ok">No registered team within ${CG.metres(r)}, now or within 2 hours.</p>`;
      teams.innerHTML = found.map(t => `<li class="card"><strong>${esc(t.agency.name)}</strong> — ${CG.metres(t.distance_m)} away
        <div>${CG.team(t.team) || "team not described"}</div>${identity(t.team)}<div>${CG.contact(t.contact)}</div>
        <div class="muted">${CG.span(t.window)}</div></li>`).join("");
    } catch (e) { result.innerHTML = `<p class="error">${esc(e.message)}</p>`; teams.innerHTML = ""; }
  });
})();
