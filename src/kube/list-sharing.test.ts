import { KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { parseLabelSelector } from "../faults/label-selector.js";
import { ListSharingRest, selects } from "./list-sharing.js";
import { KubeRest, type KubeResponse, type RequestParams } from "./rest.js";

const requirements = (selector: string) => {
  const parsed = parseLabelSelector(selector);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.requirements;
};

describe("selects", () => {
  it("reads every operator as the API server does", () => {
    const labels = { app: "web", tier: "front", n: "3" };
    expect(selects(requirements("app=web,tier"), labels)).toBe(true);
    expect(selects(requirements("app!=web"), labels)).toBe(false);
    expect(selects(requirements("missing!=x"), labels)).toBe(true);
    expect(selects(requirements("tier in (front,back)"), labels)).toBe(true);
    expect(selects(requirements("tier notin (front)"), labels)).toBe(false);
    expect(selects(requirements("!missing"), labels)).toBe(true);
    expect(selects(requirements("n>2,n<4"), labels)).toBe(true);
    expect(selects(requirements(""), labels)).toBe(true);
  });
});

/** Records what reaches the client underneath and answers lists with three labelled items. */
class RecordingRest extends KubeRest {
  readonly sent: string[] = [];
  override request<T>(method: string, path: string, params: RequestParams = {}): Promise<KubeResponse<T>> {
    this.sent.push(`${method} ${path} ${JSON.stringify(params.query ?? {})}`);
    const items = [{ metadata: { name: "a", labels: { type: "X" } } }, { metadata: { name: "b", labels: { type: "Y" } } }, { metadata: { name: "c" } }];
    return Promise.resolve({ status: 200, body: { kind: "List", items } as T });
  }
}

function recording(): RecordingRest {
  const config = new KubeConfig();
  config.loadFromOptions({ clusters: [{ name: "c", server: "http://127.0.0.1:1" }], users: [{ name: "u" }], contexts: [{ name: "c", cluster: "c", user: "u" }], currentContext: "c" });
  return new RecordingRest(config);
}

const names = (body: unknown) => (body as { items: { metadata: { name: string } }[] }).items.map((item) => item.metadata.name);

describe("ListSharingRest", () => {
  it("lists a namespaced collection once and filters each ask by its selector", async () => {
    const inner = recording();
    const shared = new ListSharingRest(inner);
    const path = "/api/v1/namespaces/ns/configmaps";
    expect(names(await shared.get(path, { query: { labelSelector: "type=X" } }))).toEqual(["a"]);
    expect(names(await shared.get(path, { query: { labelSelector: "type" } }))).toEqual(["a", "b"]);
    expect(names(await shared.get(path))).toEqual(["a", "b", "c"]);
    expect(inner.sent).toEqual([`GET ${path} {}`]);
  });

  it("counts on the client underneath (watchers add to the count of the client they are given)", () => {
    const inner = recording();
    const shared = new ListSharingRest(inner);
    shared.requestCount += 2;
    inner.requestCount += 1;
    expect([inner.requestCount, shared.requestCount]).toEqual([3, 3]);
  });

  it("lists again after a write under the collection, and passes other requests through", async () => {
    const inner = recording();
    const shared = new ListSharingRest(inner);
    const path = "/apis/apps/v1/namespaces/ns/deployments";
    await shared.get(path, { query: { labelSelector: "type=X" } });
    await shared.mergePatch(`${path}/a`, { metadata: { labels: null } });
    await shared.get(path, { query: { labelSelector: "type=Y" } });
    await shared.get("/api/v1/configmaps", { query: { labelSelector: "type=X" } });
    await shared.get(path, { query: { fieldSelector: "metadata.name=a" } });
    expect(inner.sent).toEqual([
      `GET ${path} {}`,
      `PATCH ${path}/a {}`,
      `GET ${path} {}`,
      `GET /api/v1/configmaps {"labelSelector":"type=X"}`,
      `GET ${path} {"fieldSelector":"metadata.name=a"}`,
    ]);
  });
});
