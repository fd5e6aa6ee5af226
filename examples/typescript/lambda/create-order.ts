// POST /orders: the body was validated against the method's JSON schema by API Gateway.
import { randomUUID } from 'crypto';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';

const db = new DynamoDBClient({});

export async function handler(event: { body: string; requestContext: { authorizer: { sub: string } } }) {
  const { item, quantity } = JSON.parse(event.body) as { item: string; quantity: number };
  const orderId = randomUUID();
  await db.send(new PutItemCommand({
    TableName: process.env.TABLE_NAME,
    Item: {
      customerId: { S: event.requestContext.authorizer.sub },
      orderId: { S: orderId },
      item: { S: item },
      quantity: { N: String(quantity) },
    },
    ConditionExpression: 'attribute_not_exists(orderId)',
  }));
  return { statusCode: 201, body: JSON.stringify({ orderId }) };
}
