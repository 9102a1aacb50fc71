import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One in-memory DynamoDB Local for the run; tests get its endpoint with inject('dynamoDbEndpoint').
    globalSetup: ['test/support/dynamodb-local-global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
