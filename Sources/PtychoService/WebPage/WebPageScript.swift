/// The web page's script: plain JavaScript, no libraries. It talks only to the API with relative URLs
/// (the cookie set from the access URL authenticates them), builds the DOM with `textContent` (never
/// `innerHTML` with data), polls the job list every 2 s while it is shown, and follows one job's events
/// with an `EventSource`, which resumes with `Last-Event-ID` by itself after a dropped connection.
enum WebPageScript {
    static let text = #"""
    "use strict";
    const TERMINAL = new Set(["COMPLETE", "EXECUTOR_ERROR", "SYSTEM_ERROR", "CANCELED", "PREEMPTED"]);
    const $ = (selector) => document.querySelector(selector);
    let listTimer = null;
    let source = null;
    let engines = ["DM", "ePIE", "ML"];
    let curve = new Map();

    function element(tag, attributes, ...children) {
      const node = document.createElement(tag);
      for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
      for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
      return node;
    }

    async function api(path, options) {
      const response = await fetch(path, Object.assign({ credentials: "same-origin", headers: { "Accept": "application/json" } }, options || {}));
      if (response.status === 401) { $("#auth-error").hidden = false; throw new Error("not signed in"); }
      const text = await response.text();
      let body = null;
      try { body = text ? JSON.parse(text) : null; } catch (error) { body = null; }
      if (!response.ok) {
        const detail = body && body.error ? body.error + (body.detail ? ": " + body.detail : "") : "HTTP " + response.status;
        throw new Error(detail);
      }
      return body;
    }

    function percent(progress) {
      return progress && progress.of > 0 ? Math.round(100 * progress.iteration / progress.of) : 0;
    }

    function progressCell(progress, state) {
      const value = state === "COMPLETE" ? 100 : percent(progress);
      return element("span", { class: "progress" }, element("progress", { max: "100", value: String(value) }), " ",
                     element("span", { class: "percent" }, value + " %"));
    }

    function when(text) { return text ? new Date(text).toLocaleString() : ""; }

    // ---- the job list and the form

    async function refreshList() {
      let list;
      try { list = await api("api/v1/jobs?limit=100"); } catch (error) { return; }
      const body = $("#jobs tbody");
      body.replaceChildren(...list.jobs.map((job) => {
        const configuration = job.configuration || {};
        return element("tr", { "data-job-id": job.id },
          element("td", {}, element("a", { href: "#/jobs/" + job.id }, job.id.slice(0, 8))),
          element("td", {}, configuration.input || ""),
          element("td", {}, configuration.engine || ""),
          element("td", {}, element("span", { class: "state state-" + job.state }, job.state)),
          element("td", {}, progressCell(job.progress, job.state)),
          element("td", {}, when(job.created_at)));
      }));
      $("#no-jobs").hidden = list.jobs.length > 0;
    }

    function addStage(engine, iterations) {
      const select = element("select", { class: "engine", "aria-label": "Engine" }, ...engines.map((name) => element("option", { value: name }, name)));
      select.value = engines.includes(engine) ? engine : engines[0];
      const count = element("input", { type: "number", class: "iterations", min: "1", max: "100000", value: String(iterations), required: "", "aria-label": "Iterations" });
      const remove = element("button", { type: "button", class: "remove-stage" }, "Remove");
      const row = element("div", { class: "stage" }, select, count, " iterations ", remove);
      remove.addEventListener("click", () => { if ($("#stages").children.length > 1) { row.remove(); showPlan(); } });
      select.addEventListener("change", showPlan);
      count.addEventListener("input", showPlan);
      $("#stages").append(row);
      showPlan();
    }

    function plan() {
      return [...document.querySelectorAll("#stages .stage")].map((row) =>
        row.querySelector(".engine").value + ":" + row.querySelector(".iterations").value).join(",");
    }

    function showPlan() { $("#plan-text").textContent = plan(); }

    async function loadForm() {
      try {
        const info = await api("api/v1/service-info");
        if (info.engines && info.engines.length) engines = info.engines;
        $("#who").textContent = (info.user ? info.user + " · " : "") + "version " + info.version;
      } catch (error) { /* the banner says why */ }
      addStage(engines.includes("DM") ? "DM" : engines[0], 100);
      try {
        const listing = await api("api/v1/inputs");
        const select = $("#input");
        select.replaceChildren(...listing.inputs.map((entry) => element("option", { value: entry.path }, entry.path)));
        if (!listing.inputs.length) $("#form-message").textContent = "The data folder holds no files.";
      } catch (error) { $("#form-message").textContent = "Cannot list the data folder: " + error.message; }
    }

    async function submit(event) {
      event.preventDefault();
      const message = $("#form-message");
      message.textContent = "";
      const configuration = {
        input: $("#input").value,
        engine: plan(),
        probe_modes: Number($("#probe-modes").value),
        device: $("#device").value,
      };
      const diameter = $("#probe-diameter").value;
      if (diameter !== "") configuration.probe_diameter = Number(diameter) * 1e-6;
      $("#submit").disabled = true;
      try {
        const job = await api("api/v1/jobs", { method: "POST", headers: { "Content-Type": "application/json", "Accept": "application/json" },
                                               body: JSON.stringify(configuration) });
        location.hash = "#/jobs/" + job.id;
      } catch (error) {
        message.textContent = "Not submitted: " + error.message;
      } finally {
        $("#submit").disabled = false;
      }
    }

    // ---- one job

    function showJob(job) {
      const configuration = job.configuration || {};
      $("#job-id").textContent = job.id;
      const state = $("#job-state");
      state.textContent = job.state;
      state.className = "state state-" + job.state;
      $("#job-message").textContent = job.message || "";
      if (job.progress) showProgress(job.progress);
      if (job.state === "COMPLETE") { $("#job-progress").value = 100; $("#job-percent").textContent = "100 %"; }
      if (configuration.input) $("#job-input").textContent = configuration.input;
      if (configuration.engine) $("#job-plan").textContent = configuration.engine;
      if (job.created_at) $("#job-created").textContent = when(job.created_at);
      $("#cancel").hidden = TERMINAL.has(job.state) || job.state === "CANCELING";
    }

    function showProgress(progress) {
      const value = percent(progress);
      $("#job-progress").value = value;
      $("#job-percent").textContent = value + " %";
      $("#job-iteration").textContent = "iteration " + progress.iteration + " of " + progress.of + " (" + progress.engine + ")";
      if (Number.isFinite(progress.fourier_error) && progress.fourier_error > 0) {
        curve.set(progress.iteration, progress.fourier_error);
        drawCurve();
      }
    }

    /// The error curve, log scale, in the SVG's 570 × 200 plot area.
    function drawCurve() {
      const points = [...curve.entries()].sort((a, b) => a[0] - b[0]);
      const line = $("#error-line");
      line.setAttribute("data-points", String(points.length));
      if (!points.length) { line.setAttribute("points", ""); return; }
      const logs = points.map((point) => Math.log10(point[1]));
      const low = Math.min(...logs), high = Math.max(...logs), span = high - low || 1;
      const first = points[0][0], last = points[points.length - 1][0], width = last - first || 1;
      line.setAttribute("points", points.map((point, index) =>
        (60 + 570 * (point[0] - first) / width).toFixed(1) + "," + (210 - 200 * (logs[index] - low) / span).toFixed(1)).join(" "));
      $("#error-max").textContent = Math.pow(10, high).toExponential(2);
      $("#error-min").textContent = Math.pow(10, low).toExponential(2);
      $("#iteration-first").textContent = String(first);
      $("#iteration-last").textContent = String(last);
    }

    async function loadResults(id) {
      let files;
      try { files = await api("api/v1/jobs/" + id + "/results"); } catch (error) { return; }
      const base = "api/v1/jobs/" + id + "/results/";
      $("#results").replaceChildren(...(files.length ? files.map((file) => element("li", {},
        element("a", { href: base + encodeURIComponent(file.name), download: file.name }, file.name),
        " ", element("span", { class: "muted" }, (file.size / 1024).toFixed(1) + " KiB"))) : [element("li", { class: "muted" }, "None yet.")]));
      for (const [figure, suffix] of [["#phase-preview", "_object_phase.png"], ["#probe-preview", "_probe.png"]]) {
        const file = files.find((entry) => entry.name.endsWith(suffix));
        if (!file) continue;
        $(figure + " img").src = base + encodeURIComponent(file.name) + "?sha256=" + file.sha256;
        $(figure).hidden = false;
      }
    }

    async function openJob(id) {
      curve = new Map();
      drawCurve();
      $("#log").textContent = "";
      $("#results").replaceChildren(element("li", { class: "muted" }, "None yet."));
      for (const figure of ["#phase-preview", "#probe-preview"]) $(figure).hidden = true;
      $("#job-progress").value = 0;
      $("#job-percent").textContent = "0 %";
      $("#job-iteration").textContent = "";
      try { showJob(await api("api/v1/jobs/" + id)); } catch (error) { $("#job-message").textContent = error.message; return; }
      loadResults(id);
      source = new EventSource("api/v1/jobs/" + id + "/events");
      source.addEventListener("state", (event) => {
        const job = JSON.parse(event.data);
        showJob(job);
        if (TERMINAL.has(job.state)) { source.close(); loadResults(id); }
      });
      source.addEventListener("progress", (event) => showProgress(JSON.parse(event.data)));
      source.addEventListener("log", (event) => { $("#log").append(JSON.parse(event.data) + "\n"); });
      // 204 (nothing left of a finished job) or a refused connection closes it for good.
      source.addEventListener("error", () => { if (source && source.readyState === EventSource.CLOSED) loadResults(id); });
      $("#cancel").onclick = async () => {
        try { showJob(await api("api/v1/jobs/" + id + "/cancel", { method: "POST" })); } catch (error) { $("#job-message").textContent = error.message; }
      };
    }

    // ---- views

    function route() {
      if (source) { source.close(); source = null; }
      clearInterval(listTimer);
      const match = /^#\/jobs\/([0-9a-f-]{36})$/.exec(location.hash);
      $("#list-view").hidden = !!match;
      $("#job-view").hidden = !match;
      if (match) {
        openJob(match[1]);
      } else {
        refreshList();
        listTimer = setInterval(refreshList, 2000);
      }
    }

    document.addEventListener("DOMContentLoaded", () => {
      $("#add-stage").addEventListener("click", () => addStage(engines.includes("ePIE") ? "ePIE" : engines[0], 20));
      $("#submit-form").addEventListener("submit", submit);
      window.addEventListener("hashchange", route);
      loadForm();
      route();
    });
    """#
}
