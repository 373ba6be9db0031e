/// The web page's markup. Two views, chosen by the URL's fragment (`#/jobs/ID` or none), so that every
/// URL the page uses stays relative to the base path; `app.js` fills them from the API.
enum WebPageHTML {
    static let text = #"""
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Ptychite</title>
    <link rel="stylesheet" href="ui/app.css">
    <script src="ui/app.js" defer></script>
    </head>
    <body>
    <header>
      <h1><a href="#">Ptychite</a></h1>
      <span id="who"></span>
    </header>
    <p id="auth-error" class="error" hidden>Not signed in: open the access URL the service printed
      (it ends with <code>?token=…</code>).</p>
    <main>
    <section id="list-view">
      <h2>Jobs</h2>
      <table id="jobs">
        <thead><tr><th>Job</th><th>Input</th><th>Plan</th><th>State</th><th>Progress</th><th>Submitted</th></tr></thead>
        <tbody></tbody>
      </table>
      <p id="no-jobs" class="muted" hidden>No jobs yet.</p>

      <h2>New reconstruction</h2>
      <form id="submit-form" autocomplete="off">
        <label>Input <select name="input" id="input" required></select></label>
        <fieldset id="plan">
          <legend>Engine plan <code id="plan-text"></code></legend>
          <div id="stages"></div>
          <button type="button" id="add-stage">Add a stage</button>
        </fieldset>
        <label>Probe modes <input type="number" name="probe_modes" id="probe-modes" min="1" max="32" value="1" required></label>
        <label>Probe diameter (µm, empty: found by trial)
          <input type="number" name="probe_diameter_um" id="probe-diameter" min="0" step="any"></label>
        <label>Device <select name="device" id="device"><option value="auto">auto</option><option value="cpu">cpu</option></select></label>
        <button type="submit" id="submit">Submit</button>
        <p id="form-message" class="error" role="alert"></p>
      </form>
    </section>

    <section id="job-view" hidden>
      <p><a href="#">← All jobs</a></p>
      <h2>Job <code id="job-id"></code></h2>
      <dl>
        <dt>State</dt><dd><span id="job-state" class="state"></span> <span id="job-message" class="muted"></span></dd>
        <dt>Progress</dt><dd><progress id="job-progress" max="100" value="0"></progress>
          <span id="job-percent">0 %</span> <span id="job-iteration" class="muted"></span></dd>
        <dt>Input</dt><dd id="job-input"></dd>
        <dt>Plan</dt><dd id="job-plan"></dd>
        <dt>Submitted</dt><dd id="job-created"></dd>
      </dl>
      <button type="button" id="cancel" hidden>Cancel</button>
      <h3>Fourier error</h3>
      <svg id="error-curve" viewBox="0 0 640 240" width="640" height="240" role="img" aria-label="Fourier error by iteration">
        <rect x="60" y="10" width="570" height="200" class="frame"></rect>
        <polyline id="error-line" points=""></polyline>
        <text id="error-max" x="55" y="20" text-anchor="end"></text>
        <text id="error-min" x="55" y="210" text-anchor="end"></text>
        <text id="iteration-first" x="60" y="230"></text>
        <text id="iteration-last" x="630" y="230" text-anchor="end"></text>
      </svg>
      <div id="previews">
        <figure id="phase-preview" hidden><img alt="Object phase"><figcaption>Object phase</figcaption></figure>
        <figure id="probe-preview" hidden><img alt="Probe"><figcaption>Probe</figcaption></figure>
      </div>
      <h3>Results</h3>
      <ul id="results"><li class="muted">None yet.</li></ul>
      <h3>Log</h3>
      <pre id="log"></pre>
    </section>
    </main>
    </body>
    </html>
    """#
}
