import { COMPONENTS } from "./components.js";
import { httpStatus } from "./health.js";
import { assertLabName, labDir } from "./paths.js";
import { isAlive, recordedPids } from "./processes.js";
import { readLabState, type LabState } from "./state.js";

export interface ComponentStatus {
  component: string;
  pid?: number;
  running: boolean;
  healthy: boolean;
  endpoint?: string;
}

export interface LabStatus {
  name: string;
  exists: boolean;
  state?: LabState;
  components: ComponentStatus[];
}

function healthEndpoint(state: LabState, component: string): string | undefined {
  const p = state.ports;
  switch (component) {
    case "etcd": return `http://127.0.0.1:${p.etcdClient}/health`;
    case "apiserver": return `${state.server}/readyz`;
    case "controller-manager": return `https://127.0.0.1:${p.controllerManager}/healthz`;
    case "scheduler": return `https://127.0.0.1:${p.scheduler}/healthz`;
    case "kwok": return `http://127.0.0.1:${p.kwokHealth}/healthz`;
    default: return undefined;
  }
}

/** Each component's process and health endpoint, as `lab status` shows them. */
export async function labStatus(name = "default"): Promise<LabStatus> {
  const dir = labDir(assertLabName(name));
  const state = await readLabState(dir);
  if (!state) return { name, exists: false, components: [] };
  const pids = await recordedPids(dir);
  const names = [...new Set([...COMPONENTS, ...pids.keys()])];
  const components = await Promise.all(names.map(async (component): Promise<ComponentStatus> => {
    const pid = pids.get(component);
    const running = pid !== undefined && isAlive(pid);
    const endpoint = healthEndpoint(state, component);
    const healthy = running && (endpoint === undefined
      || (await httpStatus(endpoint, component === "apiserver" ? state.caFile : undefined)) === 200);
    return { component, ...(pid !== undefined ? { pid } : {}), running, healthy, ...(endpoint ? { endpoint } : {}) };
  }));
  return { name, exists: true, state, components };
}
