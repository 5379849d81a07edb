import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** Names the API server's serving certificate answers to; pods reach it through `tls-server-name`. */
export const API_SERVER_TLS_NAME = "kubernetes";

export interface LabPki {
  dir: string;
  caCert: string;
  caKey: string;
  apiServerCert: string;
  apiServerKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await run("openssl", args, { cwd });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr ?? String(error);
    throw new Error(`openssl ${args[0]} failed: ${detail.trim()}`);
  }
}

async function signedCert(
  dir: string,
  name: string,
  subject: string,
  extensions: string,
): Promise<void> {
  await openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${name}.key`], dir);
  await openssl(["req", "-new", "-key", `${name}.key`, "-subj", subject, "-out", `${name}.csr`], dir);
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(
    ["x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
      "-days", "3650", "-sha256", "-extfile", `${name}.ext`, "-out", `${name}.crt`],
    dir,
  );
}

/**
 * A private CA, the API server's serving certificate, an admin client certificate (group
 * system:masters) and the ServiceAccount token signing key pair. EC keys keep this under a second.
 */
export async function createLabPki(dir: string, extraServingIps: string[] = []): Promise<LabPki> {
  await mkdir(dir, { recursive: true });
  await openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"], dir);
  await openssl(
    ["req", "-x509", "-new", "-key", "ca.key", "-days", "3650", "-sha256", "-subj", "/CN=operator-chaos-lab-ca",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "ca.crt"],
    dir,
  );
  const sans = [
    `DNS:${API_SERVER_TLS_NAME}`, "DNS:kubernetes.default", "DNS:kubernetes.default.svc",
    "DNS:kubernetes.default.svc.cluster.local", "DNS:localhost", "IP:127.0.0.1", "IP:10.96.0.1",
    ...extraServingIps.map((ip) => `IP:${ip}`),
  ];
  await signedCert(dir, "apiserver", "/CN=kube-apiserver",
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${sans.join(",")}\n`);
  await signedCert(dir, "admin", "/O=system:masters/CN=lab-admin",
    "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n");
  await openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "sa.key"], dir);
  await openssl(["ec", "-in", "sa.key", "-pubout", "-out", "sa.pub"], dir);
  return {
    dir,
    caCert: join(dir, "ca.crt"),
    caKey: join(dir, "ca.key"),
    apiServerCert: join(dir, "apiserver.crt"),
    apiServerKey: join(dir, "apiserver.key"),
    adminCert: join(dir, "admin.crt"),
    adminKey: join(dir, "admin.key"),
    serviceAccountKey: join(dir, "sa.key"),
    serviceAccountPub: join(dir, "sa.pub"),
  };
}
