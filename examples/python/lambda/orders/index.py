"""GET and POST /orders. The authorizer puts the token's `sub` in the request context; API Gateway
has validated a POST body against the method's JSON schema."""
import json
import os
import uuid

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def list_orders(event, _context):
    sub = event["requestContext"]["authorizer"]["sub"]
    items = table.query(KeyConditionExpression="customerId = :sub", ExpressionAttributeValues={":sub": sub})["Items"]
    orders = [{"orderId": i["orderId"], "item": i["item"], "quantity": int(i["quantity"])} for i in items]
    return {"statusCode": 200, "body": json.dumps({"orders": orders})}


def create_order(event, _context):
    body = json.loads(event["body"])
    order_id = str(uuid.uuid4())
    table.put_item(
        Item={"customerId": event["requestContext"]["authorizer"]["sub"], "orderId": order_id,
              "item": body["item"], "quantity": body["quantity"]},
        ConditionExpression="attribute_not_exists(orderId)",
    )
    return {"statusCode": 201, "body": json.dumps({"orderId": order_id})}
