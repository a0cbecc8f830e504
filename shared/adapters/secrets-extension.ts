/**
 * One secret's value from Secrets Manager through the AWS Parameters and Secrets Lambda Extension (a layer
 * the stack adds): an HTTP call to the extension on localhost, authorised by the function's own session
 * token, instead of a Secrets Manager client in the bundle (about 14 KB, which the functions that email have
 * no room for under 400 KB). The extension caches the secret for the stack's TTL.
 */
export const secretFromExtension = async (secretId: string, env: NodeJS.ProcessEnv): Promise<string> => {
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773';
  const response = await fetch(
    `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`,
    { headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' } },
  );
  if (!response.ok) throw new Error(`the secrets extension answered ${response.status}`);
  const { SecretString } = (await response.json()) as { SecretString?: string };
  return SecretString ?? '';
};
