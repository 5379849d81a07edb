// Serving certificates for admission webhooks: a private CA (its certificate is the webhook
// configuration's caBundle) and a server certificate for the Service's DNS names, which is what
// the API server verifies (it dials `<service>.<namespace>.svc`). Keys are made by Node's own
// crypto (fast, native); node-forge only writes the X.509 structures.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";

export interface ServingCertificate {
  /** PEM of the CA that signed the server certificate: the caBundle. */
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
  readonly notAfter: Date;
}

/** The names the API server may use for a Service: it verifies `<service>.<namespace>.svc`. */
export function serviceDnsNames(service: string, namespace: string): string[] {
  return [service, `${service}.${namespace}`, `${service}.${namespace}.svc`, `${service}.${namespace}.svc.cluster.local`];
}

function rsaKeyPair(): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey; pem: string } {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const key = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  return { privateKey: key, publicKey: forge.pki.rsa.setPublicKey(key.n, key.e), pem };
}

/** A positive serial number of 16 random bytes (RFC 5280 allows up to 20). */
const serial = () => `01${randomBytes(15).toString("hex")}`;

/**
 * A fresh CA and server certificate for `dnsNames` (the first one is the subject's CN), valid from
 * one hour ago (clock skew) for `validForMs` (default 24 h; a fault lasts at most one hour).
 */
export function createServingCertificate(dnsNames: readonly string[], options: { validForMs?: number; now?: Date; caName?: string } = {}): ServingCertificate {
  if (dnsNames.length === 0) throw new Error("a serving certificate needs at least one DNS name");
  const now = options.now ?? new Date();
  const notBefore = new Date(now.getTime() - 3_600_000);
  const notAfter = new Date(now.getTime() + (options.validForMs ?? 24 * 3_600_000));

  const ca = rsaKeyPair();
  const caCert = forge.pki.createCertificate();
  caCert.serialNumber = serial();
  caCert.publicKey = ca.publicKey;
  caCert.validity.notBefore = notBefore;
  caCert.validity.notAfter = notAfter;
  const caSubject = [{ name: "commonName", value: options.caName ?? "operator-chaos-webhook-ca" }];
  caCert.setSubject(caSubject);
  caCert.setIssuer(caSubject);
  caCert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  caCert.sign(ca.privateKey, forge.md.sha256.create());

  const server = rsaKeyPair();
  const cert = forge.pki.createCertificate();
  cert.serialNumber = serial();
  cert.publicKey = server.publicKey;
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: "commonName", value: dnsNames[0]! }]);
  cert.setIssuer(caSubject);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: dnsNames.map((value) => ({ type: 2, value })) },
  ]);
  cert.sign(ca.privateKey, forge.md.sha256.create());

  return { caPem: forge.pki.certificateToPem(caCert), certPem: forge.pki.certificateToPem(cert), keyPem: server.pem, notAfter };
}
