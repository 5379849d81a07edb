import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { escapeXml, junitXml } from "./junit.js";
import type { ExperimentReport } from "./model.js";
import type { Verdict } from "../verdict/verdict.js";

// A strict XML 1.0 well-formedness checker that also builds a small tree: no XML parser is installed, and
// the point is to prove our output parses anywhere.
interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_:][-A-Za-z0-9_:.]*/;
const REFERENCE = /^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/;
// eslint-disable-next-line no-control-regex
const ILLEGAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function decode(raw: string, where: string): string {
  let out = "";
  for (let index = 0; index < raw.length; ) {
    const char = raw[index]!;
    if (char === "<") throw new Error(`raw < in ${where}`);
    if (char !== "&") {
      out += char;
      index++;
      continue;
    }
    const match = REFERENCE.exec(raw.slice(index));
    if (!match) throw new Error(`bad entity reference in ${where}: ${raw.slice(index, index + 10)}`);
    const entity = match[1]!;
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    out += named[entity] ?? String.fromCodePoint(entity.startsWith("#x") ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10));
    index += match[0].length;
  }
  return out;
}

function parseXml(xml: string): XmlElement {
  if (ILLEGAL.test(xml)) throw new Error("character not allowed in XML 1.0");
  let rest = xml.replace(/^<\?xml[^?]*\?>/, "");
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (rest.length > 0) {
    if (rest.startsWith("</")) {
      const match = /^<\/([A-Za-z_:][-A-Za-z0-9_:.]*)\s*>/.exec(rest);
      const open = stack.pop();
      if (!match || !open || open.name !== match[1]) throw new Error(`mismatched end tag near ${rest.slice(0, 30)}`);
      rest = rest.slice(match[0].length);
    } else if (rest.startsWith("<")) {
      let cursor = rest.slice(1);
      const name = NAME.exec(cursor)?.[0];
      if (!name) throw new Error(`bad tag near ${rest.slice(0, 30)}`);
      cursor = cursor.slice(name.length);
      const element: XmlElement = { name, attributes: {}, children: [], text: "" };
      for (;;) {
        const space = /^\s*/.exec(cursor)![0];
        cursor = cursor.slice(space.length);
        if (cursor.startsWith("/>") || cursor.startsWith(">")) break;
        if (space.length === 0) throw new Error(`attributes must be separated by space in <${name}>`);
        const attribute = /^([A-Za-z_:][-A-Za-z0-9_:.]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(cursor);
        if (!attribute) throw new Error(`bad attribute in <${name}> near ${cursor.slice(0, 30)}`);
        if (attribute[1]! in element.attributes) throw new Error(`duplicate attribute ${attribute[1]}`);
        element.attributes[attribute[1]!] = decode(attribute[3] ?? attribute[4] ?? "", `attribute ${attribute[1]}`);
        cursor = cursor.slice(attribute[0].length);
      }
      const parent = stack.at(-1);
      if (parent) parent.children.push(element);
      else if (root) throw new Error("more than one root element");
      else root = element;
      if (cursor.startsWith("/>")) cursor = cursor.slice(2);
      else {
        cursor = cursor.slice(1);
        stack.push(element);
      }
      rest = cursor;
    } else {
      const end = rest.indexOf("<");
      const raw = end < 0 ? rest : rest.slice(0, end);
      if (raw.includes("]]>")) throw new Error("]]> in text");
      const text = decode(raw, "text");
      const parent = stack.at(-1);
      if (parent) parent.text += text;
      else if (text.trim() !== "") throw new Error("text outside the root element");
      rest = end < 0 ? "" : rest.slice(end);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.at(-1)!.name}>`);
  if (!root) throw new Error("no root element");
  return root;
}

function makeReport(verdict: Verdict, overrides: Partial<ExperimentReport> = {}): ExperimentReport {
  return {
    experiment: `exp-${verdict.toLowerCase()}`,
    timestamp: "2025-06-01T12:00:00.000Z",
    target: { operator: "llamastack", component: "controller" },
    injection: { type: "PodKill" },
    evaluation: {
      verdict,
      confidence: `${verdict} confidence`,
      recoveryTime: 2_500_000_000,
      recoveryTimeMs: 2500,
      reconcileCycles: 1,
      reasons: [`${verdict} reason`],
      ...(verdict === "Degraded" ? { deviations: [{ type: "slow_recovery" as const, detail: "took 2.5s" }] } : {}),
    },
    steadyState: {},
    ...overrides,
  };
}

describe("junitXml", () => {
  const reports = [makeReport("Resilient", { tier: 2 }), makeReport("Degraded"), makeReport("Failed"), makeReport("Inconclusive", { cleanupError: "revert failed" })];
  const xml = junitXml(reports, "suite <one>");
  const root = parseXml(xml);
  const suite = root.children[0]!;
  const cases: Record<string, XmlElement> = Object.fromEntries(suite.children.map((testcase) => [testcase.attributes.name ?? "", testcase]));

  it("is well-formed XML with an XML declaration", () => {
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(root.name).toBe("testsuites");
    expect(root.children.map((child) => child.name)).toEqual(["testsuite"]);
  });

  it("puts counts and total recovery seconds on the single suite; failures count Failed and Degraded", () => {
    expect(suite.attributes).toEqual({ name: "suite <one>", tests: "4", failures: "2", skipped: "1", time: "10.000" });
  });

  it("names each test case after the experiment, with classname chaos[.T<tier>].<component> and recovery seconds", () => {
    expect(cases["exp-resilient"]!.attributes).toEqual({ name: "exp-resilient", classname: "chaos.T2.controller", time: "2.500" });
    expect(cases["exp-failed"]!.attributes.classname).toBe("chaos.controller");
  });

  it("maps Resilient to a plain pass", () => {
    expect(cases["exp-resilient"]!.children).toEqual([]);
  });

  it("maps Failed to <failure type=FAILED> carrying the confidence and reasons", () => {
    const [failure] = cases["exp-failed"]!.children;
    expect(failure!.name).toBe("failure");
    expect(failure!.attributes).toEqual({ message: "Failed: Failed confidence", type: "FAILED" });
    expect(failure!.text).toBe("Failed confidence\nFailed reason");
  });

  it("maps Degraded to <failure type=DEGRADED> listing the deviations", () => {
    const [failure] = cases["exp-degraded"]!.children;
    expect(failure!.attributes.type).toBe("DEGRADED");
    expect(failure!.text).toContain("deviation slow_recovery: took 2.5s");
  });

  it("maps Inconclusive to <skipped> and a cleanup error to <system-err>", () => {
    const children = cases["exp-inconclusive"]!.children;
    expect(children.map((child) => child.name)).toEqual(["skipped", "system-err"]);
    expect(children[0]!.attributes.message).toBe("Inconclusive: Inconclusive confidence");
    expect(children[1]!.text).toBe("revert failed");
  });

  it("uses 0 seconds for a run that never recovered, and reads Go reports' nanoseconds", () => {
    const notRecovered = makeReport("Failed");
    notRecovered.evaluation = { ...notRecovered.evaluation, recoveryTime: 0, recoveryTimeMs: null };
    const goReport = makeReport("Resilient");
    goReport.evaluation = { verdict: "Resilient", confidence: "", recoveryTime: 1_234_000_000, reconcileCycles: 0 };
    const testcases = parseXml(junitXml([notRecovered, goReport], "s")).children[0]!.children;
    expect(testcases.map((testcase) => testcase.attributes.time)).toEqual(["0.000", "1.234"]);
  });

  it("stays well-formed and lossless for hostile names and messages", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.string({ unit: "grapheme" }), (name, message) => {
        const report = makeReport("Failed", { experiment: name, cleanupError: message });
        report.evaluation = { ...report.evaluation, confidence: message };
        const testcase = parseXml(junitXml([report], name)).children[0]!.children[0]!;
        const legal = (text: string) => [...text].filter((char) => !ILLEGAL.test(char)).join("");
        expect(testcase.attributes.name).toBe(legal(name));
        expect(testcase.children[0]!.attributes.message).toBe(legal(`Failed: ${message}`));
      }),
    );
  });
});

describe("escapeXml", () => {
  it("escapes markup and quotes, keeps line breaks as references and drops characters XML cannot hold", () => {
    expect(escapeXml(`a<b>&"c"'d'\n\u0001\uFFFF\uD800e\u{1F600}`)).toBe("a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;&#10;e\u{1F600}");
  });
});
