// Teleport's audit_sessions_uri for S3 (s3://bucket/prefix?region=...&use_fips_endpoint=true) as
// S3Uploader options, and the seed's FIPSProtoStateToAWSState.
import { badParameter } from '../errors.js';
import { UseFIPSQueryParam } from '../events/constants.generated.js';
import type { S3UploaderOptions } from './s3-uploader.js';

/** The cluster audit config's FIPS endpoint state (types.ClusterAuditConfigSpecV2_FIPSEndpointState). */
export type FIPSProtoState = 'FIPS_UNSET' | 'FIPS_ENABLED' | 'FIPS_DISABLED' | 0 | 1 | 2;

/** The AWS SDK's FIPS endpoint state (endpoints.FIPSEndpointState). */
export type AWSFIPSState = 'unset' | 'enabled' | 'disabled';

/** The seed's FIPSProtoStateToAWSState. */
export function fipsProtoStateToAwsState(state: FIPSProtoState): AWSFIPSState {
  switch (state) {
    case 'FIPS_ENABLED': case 1: return 'enabled';
    case 'FIPS_DISABLED': case 2: return 'disabled';
    case 'FIPS_UNSET': case 0: return 'unset';
    default: throw badParameter(`unknown FIPS endpoint state ${JSON.stringify(state)}`);
  }
}

function fipsParam(value: string): boolean {
  // Teleport reads the parameter with strconv.ParseBool.
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw badParameter(`s3 URL: ${UseFIPSQueryParam} must be true or false, got ${JSON.stringify(value)}`);
}

/**
 * S3Uploader options from an s3:// URL as Teleport writes them in audit_sessions_uri: the bucket
 * is the host, the prefix the path; region, endpoint, acl, sse_kms_key and use_fips_endpoint
 * come from the query.
 */
export function s3OptionsFromUrl(url: string): S3UploaderOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (err) {
    throw badParameter(`invalid s3 URL ${JSON.stringify(url)}`, err);
  }
  if (parsed.protocol !== 's3:') throw badParameter(`s3 URL must start with s3://, got ${JSON.stringify(url)}`);
  if (!parsed.hostname) throw badParameter(`s3 URL ${JSON.stringify(url)} names no bucket`);
  const q = parsed.searchParams;
  const options: S3UploaderOptions = { bucket: parsed.hostname };
  const prefix = decodeURIComponent(parsed.pathname).replace(/^\/+|\/+$/g, '');
  if (prefix) options.prefix = prefix;
  if (q.get('region')) options.region = q.get('region')!;
  if (q.get('endpoint')) options.endpoint = q.get('endpoint')!;
  if (q.get('acl')) options.acl = q.get('acl')!;
  if (q.get('sse_kms_key')) {
    options.sse = 'aws:kms';
    options.sseKmsKeyId = q.get('sse_kms_key')!;
  }
  const fips = q.get(UseFIPSQueryParam);
  if (fips !== null) options.useFipsEndpoint = fipsParam(fips);
  return options;
}
