/**
 * The official Alibaba Cloud Node clients, pointed at a loopback server.
 */
import * as $Kms from '@alicloud/kms20160120';
import * as $OpenApi from '@alicloud/openapi-client';
import * as $Util from '@alicloud/tea-util';

export { $Kms, $OpenApi, $Util };

/** The test AccessKey pair the servers are configured with. */
export const ACCESS_KEY_ID = 'LTAI_TEST_AK';
export const ACCESS_KEY_SECRET = 'test-secret-0123456789';

/** CommonJS `exports.default` classes: Node hands out module.exports as default, vitest the property. */
function interopDefault<T>(value: unknown): T {
  const inner = typeof value === 'object' && value !== null ? (value as { default?: unknown }).default : value;
  return inner as T;
}

type KmsClass = typeof $Kms.default.default;
type OpenApiClass = typeof $OpenApi.default.default;
/** The official KMS client type. */
export type KmsClient = InstanceType<KmsClass>;
/** The generic official client type. */
export type OpenApiClient = InstanceType<OpenApiClass>;

/** `@alicloud/kms20160120` (rpc-client, signature v1 HMAC-SHA1) for `endpoint` = `host:port`. */
export function kmsClient(endpoint: string, secret = ACCESS_KEY_SECRET, accessKeyId = ACCESS_KEY_ID): KmsClient {
  const Kms = interopDefault<KmsClass>($Kms.default);
  const config = { endpoint, protocol: 'http', regionId: 'cn-hangzhou', accessKeyId, accessKeySecret: secret };
  return new Kms(config as unknown as ConstructorParameters<KmsClass>[0]);
}

/** `@alicloud/openapi-client` (ACS3-HMAC-SHA256 by default; `'v2'` for signature v1). */
export function openApiClient(endpoint: string, signatureAlgorithm?: 'v2', secret = ACCESS_KEY_SECRET, accessKeyId = ACCESS_KEY_ID): OpenApiClient {
  const OpenApi = interopDefault<OpenApiClass>($OpenApi.default);
  return new OpenApi(
    new $OpenApi.Config({
      endpoint,
      protocol: 'http',
      regionId: 'cn-hangzhou',
      accessKeyId,
      accessKeySecret: secret,
      ...(signatureAlgorithm === undefined ? {} : { signatureAlgorithm }),
    }),
  );
}

/** Calls `action` through `callApi` (RPC style, POST /, JSON), with optional form body and headers. */
export async function callApi(
  client: OpenApiClient,
  action: string,
  query: Record<string, string>,
  extra: { body?: Record<string, string>; headers?: Record<string, string> } = {},
): Promise<Record<string, unknown>> {
  const params = new $OpenApi.Params({
    action,
    version: '2016-01-20',
    protocol: 'HTTPS',
    pathname: '/',
    method: 'POST',
    authType: 'AK',
    style: 'RPC',
    reqBodyType: 'formData',
    bodyType: 'json',
  });
  const request = new $OpenApi.OpenApiRequest({
    query,
    ...(extra.body === undefined ? {} : { body: extra.body }),
    ...(extra.headers === undefined ? {} : { headers: extra.headers }),
  });
  const response = (await client.callApi(params, request, new $Util.RuntimeOptions({}))) as { body: Record<string, unknown> };
  return response.body;
}

/** The error an official client threw: its code, status (openapi-client only), message, data. */
export interface OfficialError {
  readonly code: string;
  readonly statusCode?: number;
  readonly message: string;
  readonly data: Record<string, unknown>;
}

/** Runs `call` and returns what it threw (fails the test when it did not throw). */
export async function officialError(call: () => Promise<unknown>): Promise<OfficialError> {
  try {
    await call();
  } catch (error) {
    return error as OfficialError;
  }
  throw new Error('the call succeeded but an error was expected');
}
