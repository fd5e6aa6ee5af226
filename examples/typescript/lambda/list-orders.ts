// GET /orders: the caller's orders. The authorizer puts the token's `sub` in the request context.
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';

const db = new DynamoDBClient({});

export async function handler(event: { requestContext: { authorizer: { sub: string } } }) {
  const { Items = [] } = await db.send(new QueryCommand({
    TableName: process.env.TABLE_NAME,
    KeyConditionExpression: 'customerId = :sub',
    ExpressionAttributeValues: { ':sub': { S: event.requestContext.authorizer.sub } },
  }));
  const orders = Items.map((i) => ({ orderId: i.orderId.S, item: i.item.S, quantity: Number(i.quantity.N) }));
  return { statusCode: 200, body: JSON.stringify({ orders }) };
}
