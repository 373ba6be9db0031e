/// The web page's style sheet.
enum WebPageStyle {
    static let text = #"""
    body { font: 15px/1.45 system-ui, sans-serif; margin: 0; color: #1d2330; background: #f6f7f9; }
    header { display: flex; align-items: baseline; gap: 1em; padding: .6em 1.5em; background: #1d2330; color: #fff; }
    header h1 { font-size: 1.3em; margin: 0; }
    header a { color: #fff; text-decoration: none; }
    main { padding: 0 1.5em 2em; max-width: 1100px; }
    table { border-collapse: collapse; width: 100%; background: #fff; }
    th, td { text-align: left; padding: .35em .6em; border-bottom: 1px solid #dde1e7; }
    progress { width: 12em; vertical-align: middle; }
    form { display: grid; gap: .7em; max-width: 34em; background: #fff; padding: 1em; border: 1px solid #dde1e7; }
    label { display: grid; gap: .2em; }
    fieldset { border: 1px solid #dde1e7; }
    .stage { display: flex; gap: .5em; margin-bottom: .4em; }
    .stage input { width: 7em; }
    button { width: fit-content; padding: .3em 1em; }
    .error { color: #b00020; }
    .muted { color: #667085; }
    .state { font-weight: 600; }
    .state-COMPLETE { color: #137333; }
    .state-EXECUTOR_ERROR, .state-SYSTEM_ERROR { color: #b00020; }
    .state-CANCELED, .state-CANCELING, .state-PREEMPTED { color: #8a6d00; }
    dl { display: grid; grid-template-columns: 8em 1fr; gap: .3em; }
    dd { margin: 0; }
    svg { background: #fff; border: 1px solid #dde1e7; max-width: 100%; height: auto; }
    svg .frame { fill: none; stroke: #dde1e7; }
    svg polyline { fill: none; stroke: #1a73e8; stroke-width: 2; }
    svg text { font-size: 12px; fill: #667085; }
    #previews { display: flex; gap: 1.5em; flex-wrap: wrap; }
    figure { margin: 1em 0 0; }
    figure img { max-width: 320px; image-rendering: pixelated; border: 1px solid #dde1e7; background: #000; }
    pre { background: #fff; border: 1px solid #dde1e7; padding: .6em; max-height: 20em; overflow: auto; white-space: pre-wrap; }
    """#
}
