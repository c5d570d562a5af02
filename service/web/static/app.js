// Drafta's pages work without this file; it adds the live parts: the schema editor's line
// numbers, checks while typing, the preview, a job's progress, and copy buttons.
"use strict";

(function () {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";

  async function postJSON(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRF-Token": csrf,
      },
      body: JSON.stringify(body),
    });
    if (response.status === 401) {
      window.location.assign("/app/sign-in");
      return null;
    }
    return response.ok ? response.json() : null;
  }

  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // ---- the schema editor ------------------------------------------------------------------
  function setUpEditor(root) {
    const area = root.querySelector("#schema");
    const gutter = root.querySelector(".gutter");
    const backdrop = root.querySelector(".backdrop");
    const list = root.querySelector("#schema-problems");
    const state = root.querySelector("#check-state");
    const diagram = root.querySelector("#diagram");
    const preview = root.querySelector("#preview");
    const previewForm = root.querySelector("#preview-form");
    const previewEntity = root.querySelector("#preview-entity");
    const projectId = root.dataset.project;
    let badLines = new Set(
      Array.from(list.querySelectorAll("[data-line]"))
        .map((li) => Number(li.dataset.line))
        .filter((n) => n > 0),
    );
    let previewWanted = false;
    let previewSeed = null;
    let timer = null;
    let sequence = 0;

    function paintLines() {
      const count = area.value.split("\n").length;
      gutter.replaceChildren();
      backdrop.replaceChildren();
      for (let n = 1; n <= count; n++) {
        const bad = badLines.has(n);
        gutter.appendChild(el("div", bad ? { class: "bad" } : {}, String(n)));
        backdrop.appendChild(el("div", bad ? { class: "bad" } : {}, "\u200b"));
      }
      syncScroll();
    }

    function syncScroll() {
      gutter.scrollTop = area.scrollTop;
      backdrop.scrollTop = area.scrollTop;
      backdrop.scrollLeft = area.scrollLeft;
    }

    function showProblems(problems) {
      list.replaceChildren();
      badLines = new Set(problems.map((p) => p.line).filter((n) => n > 0));
      if (problems.length) {
        const ul = el("ul");
        for (const p of problems) {
          const where = p.line ? `line ${p.line}: ` : "";
          const li = el("li", { class: "error", "data-line": p.line || "" }, where + p.message);
          if (p.path) li.appendChild(el("span", { class: "muted" }, ` (${p.path})`));
          ul.appendChild(li);
        }
        list.appendChild(ul);
        area.setAttribute("aria-invalid", "true");
      } else {
        area.removeAttribute("aria-invalid");
      }
      paintLines();
    }

    function setEntities(entities) {
      for (const select of root.querySelectorAll("select.entity-choice")) {
        const chosen = select.value;
        const same =
          select.options.length === entities.length &&
          entities.every((name, i) => select.options[i].value === name);
        if (same) continue;
        select.replaceChildren(...entities.map((name) => el("option", {}, name)));
        if (entities.includes(chosen)) select.value = chosen;
      }
    }

    function showPreview(data) {
      if (!data) return;
      preview.replaceChildren();
      if (typeof data.seed === "number") previewSeed = data.seed;
      if (data.error) {
        preview.appendChild(el("p", { class: "error" }, data.error));
        return;
      }
      const wrap = el("div", { class: "table-wrap" });
      const table = el("table", { class: "rows" });
      table.appendChild(el("caption", {}, `First ${data.rows.length} rows of ${data.entity} (seed ${data.seed})`));
      const head = el("tr");
      for (const c of data.columns) head.appendChild(el("th", { scope: "col" }, c));
      table.appendChild(el("thead")).appendChild(head);
      const body = el("tbody");
      for (const row of data.rows) {
        const tr = el("tr");
        for (const cell of row) tr.appendChild(el("td", {}, cell));
        body.appendChild(tr);
      }
      table.appendChild(body);
      wrap.appendChild(table);
      preview.appendChild(wrap);
    }

    async function check() {
      const mine = ++sequence;
      state.textContent = "Checking…";
      const body = { data: area.value };
      if (previewWanted && previewEntity && previewEntity.value) body.entity = previewEntity.value;
      if (previewSeed !== null) body.seed = previewSeed;
      const answer = await postJSON(`/app/projects/${projectId}/check`, body);
      if (answer === null || mine !== sequence) return;
      showProblems(answer.problems || []);
      if (answer.ok) {
        state.textContent = "Valid";
        setEntities(answer.entities || []);
        if (diagram && answer.diagram) diagram.innerHTML = answer.diagram;
        if (answer.preview) showPreview(answer.preview);
      } else {
        const n = answer.problems.length;
        state.textContent = `${n} problem${n === 1 ? "" : "s"}`;
      }
    }

    area.addEventListener("input", () => {
      paintLines();
      clearTimeout(timer);
      timer = setTimeout(check, 400);
    });
    area.addEventListener("scroll", syncScroll);
    area.addEventListener("keydown", (event) => {
      // Tab indents; Escape then Tab leaves the editor, so the keyboard is never trapped.
      if (event.key === "Escape") {
        area.dataset.leave = "1";
        return;
      }
      if (event.key === "Tab" && !event.shiftKey && area.dataset.leave !== "1") {
        event.preventDefault();
        area.setRangeText("  ", area.selectionStart, area.selectionEnd, "end");
        area.dispatchEvent(new Event("input"));
      }
      delete area.dataset.leave;
    });
    if (previewForm) {
      previewForm.addEventListener("submit", (event) => {
        event.preventDefault();
        previewWanted = true;
        check();
      });
    }
    paintLines();
    // A saved, valid schema shows its first entity's rows at once; they follow every valid edit.
    if (previewEntity && previewEntity.value && !badLines.size) {
      previewWanted = true;
      check();
    }
  }

  // ---- a job's page -----------------------------------------------------------------------
  // Job times are stored to the second: under one second reads as such, not as zero.
  function duration(seconds) {
    if (!isFinite(seconds) || seconds < 0) return "–";
    if (seconds < 1) return "under 1 s";
    if (seconds < 60) return `${Math.round(seconds)} s`;
    const m = Math.floor(seconds / 60);
    return `${m} min ${Math.round(seconds - m * 60)} s`;
  }

  function setUpJob(root) {
    const id = root.dataset.job;
    const status = root.querySelector("#job-status");
    const bar = root.querySelector("#job-progress");
    const rows = root.querySelector("#job-rows");
    const rate = root.querySelector("#job-rate");
    const elapsed = root.querySelector("#job-elapsed");
    const downloads = root.querySelector("#job-downloads");
    const tables = root.querySelector("#job-tables");
    const dashboard = root.querySelector("#job-dashboard");
    const cancel = root.querySelector("#job-cancel");
    const remove = root.querySelector("#job-delete");
    const notice = root.querySelector("#job-notice");
    const error = root.querySelector("#job-error");
    const number = new Intl.NumberFormat("en");

    function rateOf(rows, seconds) {
      if (!(rows > 0) || !isFinite(seconds)) return "–";
      if (seconds < 1) return `over ${number.format(rows)} rows/s`;
      return `${number.format(Math.round(rows / seconds))} rows/s`;
    }

    function show(job) {
      status.textContent = job.status;
      status.className = `badge ${job.status}`;
      root.dataset.running = String(job.running);
      const p = job.progress;
      bar.max = p.rows_total;
      bar.value = p.rows_done;
      bar.textContent = `${p.rows_done} of ${p.rows_total}`;
      rows.textContent = `${number.format(p.rows_done)} of ${number.format(p.rows_total)}`;
      // Elapsed counts from submission (what a person waited); the rate from the start of work.
      const end = job.finished_at ? Date.parse(job.finished_at) : Date.now();
      elapsed.textContent = duration((end - Date.parse(job.created_at)) / 1000);
      const seconds = (end - Date.parse(job.started_at || job.created_at)) / 1000;
      rate.textContent = rateOf(p.rows_done, seconds);
      const running = job.running;
      cancel.hidden = !running;
      if (remove) remove.hidden = running;
      const files = Object.entries(job.downloads || {});
      if (downloads.childElementCount !== files.length) {
        // A job of several entities has a file for each; one file is simply "Download".
        downloads.replaceChildren(
          ...files.map(([entity, url]) =>
            el("a", { class: "button", href: url }, files.length > 1 ? `Download ${entity}` : "Download"),
          ),
        );
      }
      // A job that loaded a database has its tables instead of files.
      const loaded = Object.entries(job.tables || {});
      if (tables.childElementCount !== loaded.length) {
        tables.replaceChildren(
          ...loaded.map(([entity, table]) => {
            const item = el("li", {}, `${entity}: `);
            item.append(el("code", {}, table));
            return item;
          }),
        );
      }
      tables.hidden = loaded.length === 0;
      dashboard.hidden = !(running && job.dashboard_link);
      if (job.dashboard_link) dashboard.href = job.dashboard_link;
      notice.hidden = !job.notice;
      notice.textContent = job.notice || "";
      error.hidden = !job.error;
      error.textContent = job.error || "";
      return running;
    }

    async function poll() {
      let running = true;
      try {
        const response = await fetch(`/app/jobs/${id}/status`, {
          credentials: "same-origin",
          headers: { Accept: "application/json" },
        });
        if (response.status === 401) {
          window.location.assign("/app/sign-in");
          return;
        }
        if (response.ok) running = show(await response.json());
      } catch (_) {
        // A dropped connection: try again on the next tick.
      }
      if (running) setTimeout(poll, 500);
    }

    const running = root.dataset.running === "true";
    const end = root.dataset.finished ? Date.parse(root.dataset.finished) : Date.now();
    elapsed.textContent = duration((end - Date.parse(root.dataset.created)) / 1000);
    if (running) poll();
    else if (bar.value > 0) {
      const seconds = (end - Date.parse(root.dataset.started || root.dataset.created)) / 1000;
      rate.textContent = rateOf(bar.value, seconds);
    }
  }

  // ---- copy buttons -----------------------------------------------------------------------
  function setUpCopy(button) {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      if (!source) return;
      source.select();
      try {
        await navigator.clipboard.writeText(source.value);
        button.textContent = "Copied";
      } catch (_) {
        button.textContent = "Selected: press Ctrl+C";
      }
    });
  }

  // ---- imports read a chosen file into the source box, so it can be seen before importing ---
  function setUpImportFile(input) {
    input.addEventListener("change", async () => {
      const file = input.files && input.files[0];
      const target = document.getElementById("import-source");
      if (file && target && file.size < 2_000_000) target.value = await file.text();
    });
  }

  document.addEventListener("DOMContentLoaded", () => {
    const project = document.querySelector(".project[data-project]");
    if (project) setUpEditor(project);
    const job = document.querySelector("#job[data-job]");
    if (job) setUpJob(job);
    document.querySelectorAll("button.copy").forEach(setUpCopy);
    const file = document.getElementById("import-file");
    if (file) setUpImportFile(file);
  });
})();
