/**
 * Vitest globalSetup: one in-memory DynamoDB Local for the whole run. Tests read its endpoint
 * with `inject('dynamoDbEndpoint')` and isolate themselves with `createTestTables`.
 */
import type { TestProject } from 'vitest/node';
import { startDynamoDbLocal } from '../../functions/platform/dynamodb/dynamodb-local.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** `http://127.0.0.1:<port>` of the run's DynamoDB Local. */
    dynamoDbEndpoint: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dynamoDb = await startDynamoDbLocal({ inMemory: true });
  project.provide('dynamoDbEndpoint', dynamoDb.endpoint);
  return () => dynamoDb.stop();
}
