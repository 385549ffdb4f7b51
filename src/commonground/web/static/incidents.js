/* Critical incidents: the operating agency reports one from its operation; host, conflicting agencies
   and the watch center see and acknowledge them (notices and watch pages). */
"use strict";
(() => {
  /** One incident in plain words: what, when, where, whether help is asked, whose operation. */
  function words(i) {
    const o = i.operation || {}, [lon, lat] = i.location.coordinates;
    const help = i.assistance_requested ? "<strong>Assistance requested.</strong>" : "No assistance requested.";
    const acked = i.acknowledged_at ? `<span class="ok">Acknowledged ${CG.esc(CG.day(i.acknowledged_at))} ${CG.esc(CG.hm(i.acknowledged_at))}</span>`
      : (i.escalated_at ? `<span class="error">Not acknowledged: the watch center was alerted</span>` : "Not yet acknowledged.");
    return `<span class="badge danger">${CG.esc(CG.label(i.kind))}</span> <strong>${CG.esc(o.agency ? o.agency.name : "")}</strong>
      <div>${CG.esc(CG.day(i.at))} ${CG.esc(CG.hm(i.at))} ${CG.esc(CG.zoneName(i.at))} at ${lat.toFixed(5)}, ${lon.toFixed(5)}</div>
      <div>${help} ${o.contact ? CG.contact(o.contact) : ""}</div>
      ${i.summary ? `<div>${CG.esc(i.summary)}</div>` : ""}<div class="acked">${acked}</div>`;
  }

  // --- the operations page: report an incident of one of my operations --------------------------
  const form = document.getElementById("incident-form");
  if (form) {
    const answer = document.getElementById("incident-answer");
    CG.incidentForm = op => {
      form.reset(); answer.hidden = true; form.hidden = false;
      form.operation_id.value = op.id;
      document.getElementById("incident-op").textContent = `Operation: ${op.title || op.id}`;
      form.at.value = CG.toWall(Date.now());
      form.scrollIntoView({ block: "start" }); form.kind.focus();
    };
    document.getElementById("incident-close").addEventListener("click", () => { form.hidden = true; });
    form.addEventListener("submit", async ev => {
      ev.preventDefault();
      const body = { kind: form.kind.value, at: CG.fromWall(form.at.value), summary: form.summary.value.trim(),
                     assistance_requested: form.assistance_requested.checked };
      try {
        const made = await CG.api(`/api/v1/operations/${form.operation_id.value}/incidents`, { method: "POST", body });
        answer.className = "answer conflict";
        answer.innerHTML = `<p><strong>Incident reported.</strong> The host agency, the agencies in conflict with this
          operation and the watch center are being told now.</p><div class="card incident">${words(made)}</div>`;
      } catch (e) {
        answer.className = "answer error"; answer.textContent = "Not reported: " + e.message;
      }
      answer.hidden = false; answer.focus();
    });
  }

  // --- the notices and watch pages: incidents we were told of, with acknowledge ---------------------
  const list = document.getElementById("incidents");
  if (!list) return;
  const panel = document.getElementById("incident-panel");  // shown only when there is one: no room taken otherwise
  async function load() {
    try {
      const data = await CG.api("/api/v1/incidents?limit=50");
      panel.hidden = data.items.length === 0;
      list.innerHTML = data.items.map(i => `<li class="card incident" data-id="${CG.esc(i.id)}">${words(i)}
        ${!i.acknowledged_at && list.dataset.ack && !i.operation.agency_id  // another agency's: ours carries its own record
          ? `<div class="row"><button type="button" data-ack="${CG.esc(i.id)}">Acknowledge</button></div>` : ""}</li>`).join("");
    } catch (e) { panel.hidden = false; list.innerHTML = `<li class="error">${CG.esc(e.message)}</li>`; }
  }
  list.addEventListener("click", async ev => {
    const b = ev.target.closest("button[data-ack]");
    if (!b) return;
    try { await CG.api(`/api/v1/incidents/${b.dataset.ack}/acknowledge`, { method: "POST" }); } catch (e) { alert(e.message); }
    load();
  });
  load();
  setInterval(load, 15000);  // a new incident shows without a reload (the stream carries it to channels too)
})();
