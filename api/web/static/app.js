// Progressive enhancement for the recruiter pages: every page works without this script;
// with it, uploads show progress, a running batch updates itself, and tables sort and filter.
"use strict";

function csrfToken() {
  const field = document.querySelector('input[name="csrf_token"]');
  return field ? field.value : "";
}

// --- new batch: drag and drop, upload progress -------------------------------------------------
function setUpBatchForm() {
  const form = document.getElementById("new-batch");
  if (!form) return;
  const input = document.getElementById("files");
  const zone = document.getElementById("dropzone");
  const chosen = document.getElementById("chosen");
  const status = document.getElementById("upload-status");
  const bar = document.getElementById("upload-progress");
  let files = [];

  function show() {
    chosen.textContent = "";
    for (const file of files) {
      const item = document.createElement("li");
      item.textContent = `${file.name} (${Math.ceil(file.size / 1024)} KB)`;
      chosen.appendChild(item);
    }
    status.textContent = files.length ? `${files.length} file(s) chosen.` : "";
  }
  input.addEventListener("change", () => { files = Array.from(input.files); show(); });
  for (const name of ["dragenter", "dragover"]) {
    zone.addEventListener(name, (event) => { event.preventDefault(); zone.classList.add("over"); });
  }
  for (const name of ["dragleave", "drop"]) {
    zone.addEventListener(name, () => zone.classList.remove("over"));
  }
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    files = files.concat(Array.from(event.dataTransfer.files));
    show();
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!files.length) { status.textContent = "Choose at least one CV file."; return; }
    const data = new FormData();
    data.append("csrf_token", csrfToken());
    data.append("role", form.elements.role.value);
    data.append("market", form.elements.market.value);
    for (const file of files) data.append("files", file, file.name);
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("Accept", "application/json");
    request.setRequestHeader("X-CSRF-Token", csrfToken());
    bar.hidden = false;
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) {
        bar.value = Math.round((100 * e.loaded) / e.total);
        status.textContent = `Uploading: ${bar.value}%`;
      }
    });
    request.addEventListener("load", () => {
      let body = {};
      try { body = JSON.parse(request.responseText); } catch (_) { /* not JSON */ }
      if (request.status === 202 && body.url) {
        status.textContent = "Uploaded. Opening the ranking…";
        window.location.assign(body.url);
      } else {
        status.textContent = body.detail || body.error || `The upload failed (HTTP ${request.status}).`;
        status.classList.add("error");
      }
    });
    request.addEventListener("error", () => {
      status.textContent = "The upload did not reach the server; check the connection and try again.";
      status.classList.add("error");
    });
    status.classList.remove("error");
    status.textContent = "Uploading…";
    request.send(data);
  });
}

// --- ranking: live progress, sorting, filtering ------------------------------------------------
function setUpRanking() {
  const table = document.getElementById("ranking");
  if (!table) return;
  let sortKey = "rank";
  let ascending = true;
  let numeric = true;

  function value(row, key) {
    const raw = row.dataset[key] || "";
    if (!numeric) return raw.toLowerCase();
    return raw === "" ? null : Number(raw);
  }
  function sortRows() {
    const body = table.tBodies[0];
    const rows = Array.from(body.rows).filter((r) => r.dataset.status !== undefined);
    rows.sort((a, b) => {
      const x = value(a, sortKey), y = value(b, sortKey);
      if (x === y) return 0;
      if (x === null) return 1;  // empty cells last, whichever the direction
      if (y === null) return -1;
      return (x < y ? -1 : 1) * (ascending ? 1 : -1);
    });
    for (const row of rows) body.appendChild(row);
  }
  function filterRows() {
    const text = document.getElementById("filter-text").value.trim().toLowerCase();
    const minFit = document.getElementById("filter-min-fit").value;
    const flag = document.getElementById("filter-flag").value;
    const status = document.getElementById("filter-status").value;
    for (const row of table.tBodies[0].rows) {
      if (row.dataset.status === undefined) continue;
      const flags = row.dataset.flags ? row.dataset.flags.split(" ") : [];
      let shown = true;
      if (text && !row.dataset.file.toLowerCase().includes(text)) shown = false;
      if (minFit !== "" && !(row.dataset.fit !== "" && Number(row.dataset.fit) >= Number(minFit))) shown = false;
      if (flag === "__none__" && flags.length) shown = false;
      if (flag && flag !== "__none__" && !flags.includes(flag)) shown = false;
      if (status && row.dataset.status !== status) shown = false;
      row.hidden = !shown;
    }
  }
  for (const button of table.querySelectorAll("th button[data-sort]")) {
    button.addEventListener("click", () => {
      const key = button.dataset.sort;
      ascending = key === sortKey ? !ascending : key === "rank" || key === "file";
      sortKey = key;
      numeric = button.dataset.type === "number";
      for (const th of table.querySelectorAll("th")) th.removeAttribute("aria-sort");
      button.parentElement.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      sortRows();
    });
  }
  document.getElementById("ranking-filters").addEventListener("input", filterRows);
  document.getElementById("ranking-filters").addEventListener("submit", (e) => e.preventDefault());

  const progress = document.getElementById("batch-progress");
  const bar = document.getElementById("batch-bar");
  let seen = -1;
  async function poll() {
    if (progress.dataset.status === "completed") return;
    try {
      const response = await fetch(progress.dataset.progressUrl, { headers: { Accept: "application/json" } });
      if (response.status === 401) { window.location.assign("/login"); return; }
      const state = await response.json();
      for (const key of ["done", "total", "failed", "status"]) {
        progress.querySelector(`[data-field="${key}"]`).textContent = state[key];
      }
      bar.value = state.done + state.failed;
      progress.dataset.status = state.status;
      if (state.done + state.failed !== seen) {
        seen = state.done + state.failed;
        const rows = await fetch(progress.dataset.rowsUrl);
        const holder = document.createElement("table");
        holder.innerHTML = await rows.text();
        table.replaceChild(holder.tBodies[0], table.tBodies[0]);
        sortRows();
        filterRows();
      }
    } catch (_) { /* a missed poll is retried */ }
    if (progress.dataset.status !== "completed") window.setTimeout(poll, 1000);
  }
  poll();
}

// --- candidate: focus the highlighted evidence a quote links to ---------------------------------
function setUpEvidenceLinks() {
  for (const link of document.querySelectorAll('a[href^="#ev-"]')) {
    link.addEventListener("click", () => {
      for (const mark of document.querySelectorAll("mark.current")) mark.classList.remove("current");
      const mark = document.getElementById(link.getAttribute("href").slice(1));
      if (mark) { mark.classList.add("current"); mark.focus(); }
    });
  }
}

document.addEventListener("DOMContentLoaded", () => {
  setUpBatchForm();
  setUpRanking();
  setUpEvidenceLinks();
});
