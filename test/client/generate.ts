// The one way the client types are produced from openapi/openapi.json: shared by `npm run openapi:client` and
// the drift assertion in test/integration/generated-client.test.ts, so both compare against the same output.
import fs from 'node:fs';
import ts from 'typescript';
import openapiTS, { astToString, COMMENT_HEADER } from 'openapi-typescript';

export async function generateClientTypes(documentPath: string): Promise<string> {
  const document = fs.readFileSync(documentPath, 'utf8');
  const ast = await openapiTS(document, {
    silent: true,
    // openapi-typescript's documented option for uploads and downloads: `format: binary` becomes Blob, so a
    // multipart body can carry a File without a cast.
    transform(schema) {
      if (schema.format === 'binary') {
        const blob = ts.factory.createTypeReferenceNode(ts.factory.createIdentifier('Blob'));
        const nullable = schema.nullable === true || (Array.isArray(schema.type) && schema.type.includes('null'));
        return nullable ? ts.factory.createUnionTypeNode([blob, ts.factory.createLiteralTypeNode(ts.factory.createNull())]) : blob;
      }
      return undefined;
    },
  });
  return COMMENT_HEADER + astToString(ast);
}
