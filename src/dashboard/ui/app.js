// The dashboard UI: plain ES module, hash router, one render function per page. Everything is built
// with DOM calls (text via textContent), so nothing from a report is ever parsed as HTML.

const $page = document.getElementById("page");
const $connection = document.getElementById("connection");
const SVG = "http://www.w3.org/2000/svg";
const VERDICTS = ["Resilient", "Degraded", "Failed", "Inconclusive"];

// A token given once as ?token=… is kept for the tab and taken out of the address bar.
const params = new URLSearchParams(location.search);
if (params.has("token")) {
  sessionStorage.setItem("token", params.get("token"));
  history.replaceState(null, "", location.pathname + location.hash);
}
const headers = () => (sessionStorage.getItem("token") ? { authorization: `Bearer ${sessionStorage.getItem("token")}` } : {});

async function api(path) {
  const response = await fetch(path, { headers: headers() });
  const body = await response.json();
  if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
  return body;
}

function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  return node;
}

function s(tag, attrs = {}, ...children) {
  const node = document.createElementNS(SVG, tag);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  for (const child of children.flat(Infinity)) if (child !== null && child !== undefined) node.append(child instanceof Node ? child : String(child));
  return node;
}

const ms = (value) => (value === null || value === undefined ? "—" : value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(1)} s`);
const verdict = (v) => h("span", { class: `v-${v}` }, v);
const when = (iso) => (iso ? new Date(iso).toISOString().replace("T", " ").slice(0, 19) : "—");
const elapsed = (iso) => {
  const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
};
const table = (head, rows, attrs = {}) => h("table", attrs, h("thead", {}, h("tr", {}, head.map((c) => h("th", {}, c)))), h("tbody", {}, rows));

// ---- live state: one event stream for every page (fetch, so the bearer token goes in a header)
let liveRuns = [];
const liveListeners = new Set();
async function connectLive() {
  for (;;) {
    setConnection("connecting");
    try {
      const response = await fetch("/api/v1/live/events", { headers: headers() });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      setConnection("connected");
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          handleEvent(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch {
      // fall through to reconnect
    }
    setConnection("disconnected");
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}
function handleEvent(block) {
  let event = "message";
  let data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("event: ")) event = line.slice(7);
    else if (line.startsWith("data: ")) data += line.slice(6);
  }
  if (!data) return;
  const payload = JSON.parse(data);
  if (event === "live") liveRuns = payload.runs;
  for (const listener of liveListeners) listener(event, payload);
}
function setConnection(state) {
  $connection.className = `conn conn-${state}`;
  $connection.textContent = state;
  $connection.dataset.state = state;
}

// ---- pages
const routes = [
  [/^\/$/, overviewPage],
  [/^\/live$/, livePage],
  [/^\/experiments$/, experimentsPage],
  [/^\/experiments\/(\d+)$/, experimentPage],
  [/^\/operators$/, operatorsPage],
  [/^\/suites$/, suitesPage],
  [/^\/knowledge$/, knowledgePage],
];

let cleanup = () => {};
async function render() {
  cleanup();
  cleanup = () => {};
  const [path, query = ""] = (location.hash.slice(1) || "/").split("?");
  for (const link of document.querySelectorAll("header nav a")) {
    const target = link.getAttribute("href").slice(1);
    link.classList.toggle("active", target === "/" ? path === "/" : path.startsWith(target));
  }
  const route = routes.find(([pattern]) => pattern.test(path));
  const wanted = location.hash;
  if (!route) return $page.replaceChildren(h("p", {}, "No such page."));
  try {
    const content = await route[1](new URLSearchParams(query), ...path.match(route[0]).slice(1));
    if (location.hash !== wanted) return;
    $page.replaceChildren(content);
    // Which address this content is for (tests wait for it; a slow older render never lands last).
    $page.dataset.rendered = location.hash || "#/";
  } catch (error) {
    $page.replaceChildren(h("p", { class: "warn" }, `Could not load: ${error.message}`));
  }
}
/** Re-renders the page when the history grows or the live runs change. */
function refreshOn(events) {
  const listener = (event) => events.includes(event) && render();
  liveListeners.add(listener);
  cleanup = () => liveListeners.delete(listener);
}

function runningTable(runs) {
  if (runs.length === 0) return h("p", { class: "muted", id: "running-none" }, "Nothing is running.");
  return table(["Operator", "Experiment", "Kind", "Phase", "Faults", "Started", "Elapsed"], runs.map((run) =>
    h("tr", { "data-run": run.id }, h("td", {}, run.operator), h("td", {}, run.experiment || "—"), h("td", {}, run.kind),
      h("td", { class: "phase" }, run.phase), h("td", {}, run.faults.map((f) => `${f.faultType} ${f.target}`).join(", ") || "—"),
      h("td", {}, when(run.startedAt)), h("td", { class: "elapsed", "data-since": run.startedAt }, elapsed(run.startedAt)))), { id: "running" });
}

async function overviewPage() {
  const data = await api("/api/v1/overview");
  refreshOn(["history", "live"]);
  const max = Math.max(1, ...data.recoveryByFault.map((r) => r.meanMs ?? 0));
  const bars = s("svg", { width: 560, height: 18 * data.recoveryByFault.length + 10, id: "recovery-chart" },
    data.recoveryByFault.map((row, i) => [
      s("text", { x: 0, y: 18 * i + 13 }, row.faultType),
      s("rect", { x: 170, y: 18 * i + 3, height: 12, width: Math.max(1, (300 * (row.meanMs ?? 0)) / max), fill: "#3b82f6" }),
      s("text", { x: 175 + (300 * (row.meanMs ?? 0)) / max, y: 18 * i + 13 }, `${ms(row.meanMs)} (${row.recovered}/${row.runs})`),
    ]));
  const dayMax = Math.max(1, ...data.trend.map((d) => VERDICTS.reduce((a, v) => a + (d.verdicts[v] ?? 0), 0)));
  const colours = { Resilient: "#2e7d32", Degraded: "#ef6c00", Failed: "#c62828", Inconclusive: "#9e9e9e" };
  const trend = s("svg", { width: Math.max(200, data.trend.length * 22 + 10), height: 140, id: "trend-chart" }, data.trend.map((day, i) => {
    let y = 120;
    return [
      ...VERDICTS.map((v) => {
        const height = (100 * (day.verdicts[v] ?? 0)) / dayMax;
        y -= height;
        return s("rect", { x: i * 22 + 4, y, width: 16, height, fill: colours[v] }, s("title", {}, `${day.day} ${v}: ${day.verdicts[v] ?? 0}`));
      }),
      s("text", { x: i * 22 + 2, y: 135 }, day.day.slice(8)),
    ];
  }));
  return h("section", {},
    h("h1", {}, "Overview"),
    h("div", { class: "tiles", id: "verdicts" },
      h("div", { class: "tile" }, h("div", { class: "n", "data-verdict": "total" }, data.total), "reports"),
      VERDICTS.map((v) => h("div", { class: "tile" }, h("div", { class: `n v-${v}`, "data-verdict": v }, data.verdicts[v] ?? 0), v))),
    h("h2", {}, "Running now"), runningTable(liveRuns.length ? liveRuns : data.running),
    h("h2", {}, "Verdicts per day"), trend,
    h("h2", {}, "Mean recovery time by fault type (recovered/runs)"), bars);
}

async function livePage() {
  const status = await api("/api/v1/status");
  const section = h("section", {}, h("h1", {}, "Live"),
    h("p", {}, "Connection: ", h("strong", { id: "live-connection" }, $connection.dataset.state ?? "connecting")),
    h("div", { id: "live-runs" }, runningTable(liveRuns)),
    h("h2", {}, "Sources"),
    table(["Source", "State", "Detail"], status.sources.map((src) => h("tr", {}, h("td", {}, src.name), h("td", {}, src.state), h("td", {}, src.detail)))),
    status.skipped.length ? [h("h2", {}, "Skipped inputs"), status.skipped.map((skip) => h("div", { class: "warn" }, `${skip.origin}: ${skip.error}`))] : null);
  const listener = (event) => {
    if (event === "live") section.querySelector("#live-runs").replaceChildren(runningTable(liveRuns));
  };
  liveListeners.add(listener);
  const tick = setInterval(() => {
    for (const cell of section.querySelectorAll(".elapsed")) cell.textContent = elapsed(cell.dataset.since);
    section.querySelector("#live-connection").textContent = $connection.dataset.state;
  }, 500);
  cleanup = () => {
    liveListeners.delete(listener);
    clearInterval(tick);
  };
  return section;
}

const FILTERS = ["verdict", "fault", "operator", "q"];
async function experimentsPage(query) {
  const shown = new URLSearchParams();
  for (const [key, value] of query) if (value) shown.set(key, value);
  const [page, coverage] = await Promise.all([api(`/api/v1/experiments?${shown}`), api("/api/v1/operators")]);
  refreshOn(["history"]);
  const go = (changes) => {
    const next = new URLSearchParams(shown);
    for (const [key, value] of Object.entries(changes)) (value ? next.set(key, value) : next.delete(key));
    location.hash = `#/experiments?${next}`;
  };
  const select = (name, values) => h("select", { name, onchange: (e) => go({ [name]: e.target.value, page: "" }) },
    h("option", { value: "" }, "any"), values.map((v) => h("option", { value: v, selected: shown.get(name) === v }, v)));
  const sortBy = (field, label) => h("button", { "data-sort": field, onclick: () => go({ sort: field, order: shown.get("sort") === field && shown.get("order") !== "desc" ? "desc" : "asc" }) },
    label, shown.get("sort") === field ? (shown.get("order") === "desc" ? " ▼" : " ▲") : "");
  const pages = Math.max(1, Math.ceil(page.total / page.pageSize));
  return h("section", {},
    h("h1", {}, "Experiments"),
    h("form", { class: "filters", onsubmit: (e) => { e.preventDefault(); go({ q: e.target.q.value, page: "" }); } },
      h("label", {}, "Verdict", select("verdict", VERDICTS)),
      h("label", {}, "Fault", select("fault", coverage.faultTypes)),
      h("label", {}, "Operator", select("operator", coverage.operators.map((o) => o.operator))),
      h("label", {}, "Name contains", h("input", { name: "q", value: shown.get("q") ?? "" })),
      h("button", { type: "submit" }, "Search"),
      FILTERS.some((f) => shown.has(f)) ? h("button", { type: "button", onclick: () => (location.hash = "#/experiments") }, "Clear") : null),
    h("p", { id: "total" }, `${page.total} report(s)`),
    table([sortBy("experiment", "Experiment"), sortBy("operator", "Operator"), sortBy("fault", "Fault"), sortBy("verdict", "Verdict"), sortBy("recovery", "Recovery"), sortBy("timestamp", "When"), "Source"],
      page.items.map((row) => h("tr", { "data-id": row.id },
        h("td", {}, h("a", { href: `#/experiments/${row.id}` }, row.experiment)), h("td", {}, row.operator), h("td", {}, row.faultType),
        h("td", { class: "verdict" }, verdict(row.verdict)), h("td", { class: "recovery" }, ms(row.recoveryMs)), h("td", {}, when(row.timestamp)), h("td", {}, row.source))),
      { id: "experiments" }),
    h("div", { class: "pager" },
      h("button", { id: "prev", disabled: page.page <= 1, onclick: () => go({ page: String(page.page - 1) }) }, "‹ Previous"),
      h("span", { id: "page-of" }, `page ${page.page} of ${pages}`),
      h("button", { id: "next", disabled: page.page >= pages, onclick: () => go({ page: String(page.page + 1) }) }, "Next ›")));
}

/** The run as a chart: fault held, steady state lost, point events (probe, revert, phases). */
function timelineChart(report) {
  const events = report.timeline ?? [];
  if (events.length === 0) return h("p", { class: "muted" }, "This report has no timeline.");
  const start = events[0].at;
  const end = Math.max(start + 1, events[events.length - 1].at);
  const width = 900;
  const x = (at) => 120 + ((at - start) / (end - start)) * (width - 240);
  const firstOf = (type, after = start) => events.find((e) => e.type === type && e.at >= after)?.at;
  const lanes = [];
  const injected = firstOf("injectionStarted");
  if (injected !== undefined) lanes.push(["fault held", injected, firstOf("faultReverted", injected) ?? end, "#ef6c00"]);
  const lost = firstOf("steadyStateLost");
  if (lost !== undefined) lanes.push(["steady state lost", lost, firstOf("recoveryDetected", lost) ?? firstOf("steadyStateHolds", lost) ?? end, "#c62828"]);
  const points = events.filter((e) => ["probeSent", "probeRepaired", "probeUnrepaired", "faultReverted", "recoveryDetected", "injectionConfirmed", "watchGap", "toolError"].includes(e.type));
  const phases = events.filter((e) => e.type === "phase");
  const height = 40 + lanes.length * 24 + 40;
  return s("svg", { width, height, id: "timeline", role: "img" },
    s("title", {}, "Timeline of the run"),
    lanes.map(([label, from, to, colour], i) => [
      s("text", { x: 0, y: 34 + i * 24 }, label),
      s("rect", { class: "lane", x: x(from), y: 22 + i * 24, width: Math.max(2, x(to) - x(from)), height: 16, fill: colour, opacity: 0.8 }, s("title", {}, `${label}: ${ms(to - from)}`)),
    ]),
    points.map((e, i) => {
      const y = 30 + lanes.length * 24;
      return [s("circle", { class: "point", cx: x(e.at), cy: y, r: 5, fill: "#1f2937" }, s("title", {}, `${e.type} at +${ms(e.at - start)}`)),
        s("text", { x: x(e.at) + 6, y: y + 14 + (i % 2) * 12 }, e.type)];
    }),
    phases.map((e) => [s("line", { x1: x(e.at), x2: x(e.at), y1: 10, y2: height - 5, stroke: "#999", "stroke-dasharray": "3 3" }),
      s("text", { x: x(e.at) + 2, y: 12 }, e.phase)]),
    s("text", { x: 120, y: height - 2 }, "0"), s("text", { x: width - 60, y: height - 2 }, `+${ms(end - start)}`));
}

async function experimentPage(_query, id) {
  const row = await api(`/api/v1/experiments/${id}`);
  const report = row.report;
  const evaluation = report.evaluation ?? {};
  const hypothesis = report.hypothesis;
  const deviations = evaluation.deviations ?? [];
  return h("section", {},
    h("h1", {}, row.experiment, " ", verdict(row.verdict)),
    h("dl", { class: "summary", id: "summary" },
      h("dt", {}, "Operator / component"), h("dd", {}, `${row.operator} / ${row.component}`),
      h("dt", {}, "Fault"), h("dd", {}, row.faultType),
      h("dt", {}, "Verdict"), h("dd", {}, verdict(row.verdict), " (", evaluation.confidence ?? "", ")"),
      h("dt", {}, "Recovery"), h("dd", {}, ms(row.recoveryMs)),
      h("dt", {}, "Reconcile cycles"), h("dd", {}, evaluation.reconcileCycles ?? "—"),
      h("dt", {}, "When"), h("dd", {}, when(row.timestamp)),
      h("dt", {}, "Source"), h("dd", {}, row.source),
      evaluation.reasons?.length ? [h("dt", {}, "Why"), h("dd", {}, evaluation.reasons.join("; "))] : null),
    h("h2", {}, "Hypothesis"),
    hypothesis ? h("p", { id: "hypothesis" }, hypothesis.description ?? "(no description)", ` — ${hypothesis.persistence}, recovery within ${ms(hypothesis.recoveryTimeoutMs)}`) : h("p", { class: "muted" }, "Not in this report."),
    h("h2", {}, "Timeline"), timelineChart(report),
    h("h2", {}, "Deviations"),
    deviations.length ? h("ul", { id: "deviations" }, deviations.map((d) => h("li", {}, `${d.type}: ${d.detail}`))) : h("p", { class: "muted" }, "None."),
    h("h2", {}, "Raw report"), h("pre", { class: "raw", id: "raw" }, JSON.stringify(report, null, 2)));
}

async function operatorsPage() {
  const data = await api("/api/v1/operators");
  refreshOn(["history"]);
  if (data.operators.length === 0) return h("section", {}, h("h1", {}, "Operators"), h("p", { class: "muted" }, "No reports yet."));
  return h("section", {},
    h("h1", {}, "Coverage: operator × fault type"),
    h("p", { class: "muted" }, "Each cell: the latest verdict, and how many runs. Empty: never run."),
    table(["Operator", ...data.faultTypes.map((t) => h("span", { title: t }, t))], data.operators.map((op) =>
      h("tr", { "data-operator": op.operator }, h("th", {}, op.operator), data.faultTypes.map((type) => {
        const cell = op.cells[type];
        return cell
          ? h("td", { class: `cell v-${cell.latest}`, title: `${type}: ${cell.latest}, ${cell.runs} run(s)` }, h("a", { href: `#/experiments?operator=${encodeURIComponent(op.operator)}&fault=${type}` }, `${cell.latest[0]} ${cell.runs}`))
          : h("td", { class: "cell none" }, "·");
      }))), { id: "coverage" }));
}

async function suitesPage(query) {
  const { runs } = await api("/api/v1/suites");
  refreshOn(["history"]);
  if (runs.length === 0) return h("section", {}, h("h1", {}, "Suites"), h("p", { class: "muted" }, "No suite runs yet (ingest a suite --report-dir folder)."));
  const a = query.get("a") ?? runs[1]?.id ?? runs[0].id;
  const b = query.get("b") ?? runs[0].id;
  const comparison = await api(`/api/v1/suites/compare?${new URLSearchParams({ a, b })}`);
  const pick = (name, value) => h("select", { name, id: `suite-${name}`, onchange: (e) => {
    const next = new URLSearchParams({ a, b, [name]: e.target.value });
    location.hash = `#/suites?${next}`;
  } }, runs.map((run) => h("option", { value: run.id, selected: run.id === value }, `${run.suite} — ${when(run.generated)} (${run.experiments})`)));
  const side = (x) => (x ? [verdict(x.verdict), " ", ms(x.recoveryMs)] : h("span", { class: "muted" }, "not run"));
  return h("section", {},
    h("h1", {}, "Suites: compare two runs"),
    h("form", { class: "filters" }, h("label", {}, "A", pick("a", a)), h("label", {}, "B", pick("b", b))),
    table(["Experiment", "A", "B", "Recovery B − A", "Verdict"], comparison.rows.map((row) => {
      const delta = row.recoveryDeltaMs;
      return h("tr", { "data-experiment": row.experiment, class: row.verdictChanged ? "changed" : "" },
        h("td", {}, row.experiment), h("td", {}, side(row.a)), h("td", {}, side(row.b)),
        h("td", { class: delta > 0 ? "delta-worse" : delta < 0 ? "delta-better" : "" }, delta === null ? "—" : `${delta > 0 ? "+" : ""}${ms(Math.abs(delta)).replace(/^/, delta < 0 ? "−" : "")}`),
        h("td", {}, row.verdictChanged ? h("strong", { class: "delta-worse" }, "changed") : "same"));
    }), { id: "comparison" }));
}

const FILL = { Resilient: "#e8f5e9", Degraded: "#fff3e0", Failed: "#ffebee", Inconclusive: "#eeeeee" };
const STROKE = { Resilient: "#2e7d32", Degraded: "#ef6c00", Failed: "#c62828", Inconclusive: "#6d6d6d" };

/** One model's components in columns by dependency depth, each with its resources, edges to what it needs. */
function knowledgeGraph(model) {
  const byName = new Map(model.components.map((c) => [c.name, c]));
  const depth = new Map();
  const depthOf = (name, seen = new Set()) => {
    if (depth.has(name)) return depth.get(name);
    if (seen.has(name)) return 0;
    seen.add(name);
    const inModel = (byName.get(name)?.dependencies ?? []).filter((d) => byName.has(d));
    const value = inModel.length === 0 ? 0 : 1 + Math.max(...inModel.map((d) => depthOf(d, seen)));
    depth.set(name, value);
    return value;
  };
  const columns = [];
  for (const component of model.components) (columns[depthOf(component.name)] ??= []).push(component);
  const box = new Map();
  const W = 280;
  let height = 0;
  columns.forEach((column, x) => {
    let y = 10;
    for (const component of column) {
      const h = 28 + 16 * component.resources.length;
      box.set(component.name, { x: 10 + x * (W + 80), y, h });
      y += h + 20;
    }
    height = Math.max(height, y);
  });
  const edges = model.components.flatMap((component) => component.dependencies.filter((d) => box.has(d)).map((d) => {
    const from = box.get(component.name);
    const to = box.get(d);
    return s("line", { class: "edge", x1: from.x, y1: from.y + 14, x2: to.x + W, y2: to.y + 14, stroke: "#555", "marker-end": "url(#arrow)" });
  }));
  const nodes = model.components.map((component) => {
    const { x, y, h } = box.get(component.name);
    return s("g", { class: "component", "data-component": component.name, "data-latest": component.latest ?? "none" },
      s("rect", { x, y, width: W, height: h, rx: 4, fill: FILL[component.latest] ?? "#fff", stroke: STROKE[component.latest] ?? "#999" }),
      s("text", { x: x + 8, y: y + 18, "font-weight": "bold" }, `${component.name} — ${component.latest ?? "never run"}${component.runs ? ` (${component.runs})` : ""}`),
      component.resources.map((resource, i) => [
        s("rect", { class: "resource", x: x + 8, y: y + 26 + 16 * i, width: 10, height: 10, fill: STROKE[resource.latest] ?? "#ccc" }),
        s("text", { x: x + 24, y: y + 35 + 16 * i }, `${resource.kind}/${resource.name}`),
      ]));
  });
  const defs = s("defs", {}, s("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5, markerWidth: 6, markerHeight: 6, orient: "auto" }, s("path", { d: "M0,0 L10,5 L0,10 z", fill: "#555" })));
  return s("svg", { width: columns.length * (W + 80) + 20, height: height + 10, class: "knowledge-graph", "data-operator": model.operator }, defs, edges, nodes);
}

async function knowledgePage() {
  const { models } = await api("/api/v1/knowledge");
  refreshOn(["history"]);
  if (models.length === 0) return h("section", {}, h("h1", {}, "Knowledge"), h("p", { class: "muted" }, "No knowledge models (start the dashboard with --knowledge-dir)."));
  return h("section", {}, h("h1", {}, "Knowledge"),
    h("p", { class: "muted" }, "Components by dependency (an arrow points at what a component needs), coloured by the latest verdict of their experiments; each resource by the latest verdict of experiments that targeted it."),
    models.map((model) => [h("h2", {}, `${model.operator} (namespace ${model.namespace})`), knowledgeGraph(model)]));
}

addEventListener("hashchange", render);
void connectLive();
void render();
