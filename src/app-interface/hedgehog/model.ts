/**
 * The `/hedgehog/fabric-1.yml` datafile after loading: one Hedgehog fabric, the cluster that runs
 * its controller (where its CRs are applied) and where its GitOps directory comes from.
 */

/** The twelve fabric kinds kontract manages (SwitchProfile is a controller-managed catalogue). */
export const FABRIC_KIND_NAMES = [
  'VLANNamespace', 'IPv4Namespace', 'SwitchGroup', 'Switch', 'Server', 'Connection',
  'VPC', 'External', 'VPCAttachment', 'VPCPeering', 'ExternalAttachment', 'ExternalPeering',
] as const;

export type FabricKindName = (typeof FABRIC_KIND_NAMES)[number];

export function isFabricKindName(s: string): s is FabricKindName {
  return (FABRIC_KIND_NAMES as readonly string[]).includes(s);
}

/** Where git reads the HTTPS token from. Never the token itself: datafiles are not secret. */
export type GitToken = { readonly env: string } | { readonly file: string };

export interface GitCredentials {
  /** Environment variable holding the HTTPS user name. @default `x-access-token` when absent */
  readonly usernameEnv?: string;
  readonly token: GitToken;
}

export type FabricSource =
  | {
    readonly kind: 'directory';
    /** Absolute, or relative to the app-interface root (resolved by the loader when it knows the root). */
    readonly directory: string;
  }
  | {
    readonly kind: 'git';
    readonly url: string;
    /** Branch, tag or commit. */
    readonly ref: string;
    /** Directory inside the repository ('' or '.' = the root). */
    readonly path: string;
    readonly credentials?: GitCredentials;
  };

export type UnknownDocumentPolicy = 'warn' | 'error';

export interface Fabric {
  /** The datafile, e.g. `/hedgehog/fabrics/fabric-1.yml`. */
  readonly path: string;
  readonly name: string;
  readonly description: string;
  /** Name of the cluster (from the `$ref`ed cluster datafile) running the fabric controller. */
  readonly cluster: string;
  readonly source: FabricSource;
  /** Kinds kontract applies for this fabric. @default all twelve */
  readonly kinds: readonly FabricKindName[];
  /** What to do with documents that are not one of the enabled kinds. @default 'warn' */
  readonly unknownDocuments: UnknownDocumentPolicy;
}
