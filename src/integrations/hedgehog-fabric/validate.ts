/**
 * Re-implements the Hedgehog fabric webhooks' validation over a fabric's whole desired set
 * (the CRD schemas are loose; a cluster with only the CRDs would accept what a real fabric
 * rejects). References resolve inside the fabric's GitOps directory.
 */
import type { ValidationProblem } from '../../core/errors.js';
import type { FabricObject } from './checker.js';
import { FabricChecker } from './checker.js';
import type { Ipv4Prefix } from './ipv4.js';
import { checkExternal, checkExternalAttachment, checkExternalPeering } from './validate-external.js';
import { checkIpv4Namespace, checkVpc, checkVpcAttachment, checkVpcPeering } from './validate-vpc.js';
import type { PortUse } from './validate-wiring.js';
import { checkConnection, checkSwitch, checkVlanNamespace } from './validate-wiring.js';

export interface FabricValidation {
  readonly problems: readonly ValidationProblem[];
  readonly warnings: readonly ValidationProblem[];
}

export function validateFabric(objects: readonly FabricObject[]): FabricValidation {
  const c = new FabricChecker(objects);
  const ports = new Map<string, PortUse>();
  const allocated = new Map<string, { vpc: string; prefix: Ipv4Prefix }[]>();
  const attachments = new Map<string, string>();
  const extVlans = new Map<string, string>();
  for (const o of c.objects) {
    switch (o.kind) {
      case 'VLANNamespace': checkVlanNamespace(c, o); break;
      case 'IPv4Namespace': checkIpv4Namespace(c, o); break;
      case 'Switch': checkSwitch(c, o); break;
      case 'Connection': checkConnection(c, o, ports); break;
      case 'VPC': checkVpc(c, o, allocated); break;
      case 'VPCAttachment': checkVpcAttachment(c, o, attachments); break;
      case 'VPCPeering': checkVpcPeering(c, o); break;
      case 'External': checkExternal(c, o); break;
      case 'ExternalAttachment': checkExternalAttachment(c, o, extVlans); break;
      case 'ExternalPeering': checkExternalPeering(c, o); break;
      case 'SwitchGroup':
      case 'Server':
        break;
    }
  }
  return { problems: c.problems, warnings: c.warnings };
}
