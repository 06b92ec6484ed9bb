#!/usr/bin/python3
"""Signs DynamoDB requests with botocore's SigV4Auth, the oracle of the signer's differential
test. Prints one JSON object a line: the request (credentials, region, host, path, target,
content type, body, X-Amz-Date) and botocore's canonical request, string to sign and
Authorization header. Exits with 77 without botocore."""
import json
import random
import sys

try:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
except ImportError:
    sys.exit(77)

HOSTS = ['dynamodb.us-east-1.amazonaws.com', 'dynamodb.cn-north-1.amazonaws.com.cn',
         'localhost:8000', '127.0.0.1:8011', '[::1]:8000']
# Not a path ending in "..": botocore drops the directory's '/' that RFC 3986 and the AWS
# suite's normalizer keep ("/p/q/.." is "/p" to botocore, "/p/" to the signer).
PATHS = ['/', '/dynamodb', '/a%20b/./c/../d/', '/x//y/', '/p/q/../r', '/~user/v1']
REGIONS = ['us-east-1', 'eu-west-3', 'cn-north-1', 'us-gov-west-1', 'ap-southeast-2']
OPERATIONS = ['GetItem', 'PutItem', 'Query', 'Scan', 'TransactWriteItems', 'ListTables']
CONTENT_TYPES = ['application/x-amz-json-1.0', '  application/x-amz-json-1.0 ',
                 'application/x-amz-json-1.0;\t charset=utf-8']
BODY_TEXT = 'ab"{}:,\\ \u00e9\u4e2d\U0001f600'


def cases():
    rng = random.Random(20150830)
    for i in range(40):
        token = '' if i % 3 else 'FQoG' + ''.join(rng.choice('AZaz09+/=') for _ in range(40))
        body = ''.join(rng.choice(BODY_TEXT) for _ in range(rng.choice([0, 2, 57, 3000])))
        yield {
            'access_key_id': 'AKID%04d' % i,
            'secret_access_key': ''.join(rng.choice('abcXYZ019+/') for _ in range(40)),
            'session_token': token,
            'region': rng.choice(REGIONS),
            'host': rng.choice(HOSTS),
            'path': rng.choice(PATHS),
            'target': 'DynamoDB_20120810.' + rng.choice(OPERATIONS),
            'content_type': rng.choice(CONTENT_TYPES),
            'body': body,
            'amz_date': '%04d%02d%02dT%02d%02d%02dZ' % (
                rng.randint(1970, 2099), rng.randint(1, 12), rng.randint(1, 28),
                rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)),
        }


for case in cases():
    credentials = Credentials(case['access_key_id'], case['secret_access_key'],
                              case['session_token'] or None)
    request = AWSRequest(method='POST', url='https://' + case['host'] + case['path'],
                         data=case['body'].encode('utf-8'),
                         headers={'Host': case['host'], 'Content-Type': case['content_type'],
                                  'X-Amz-Target': case['target']})
    request.context['timestamp'] = case['amz_date']
    signer = SigV4Auth(credentials, 'dynamodb', case['region'])
    # add_auth reads the clock; these are its steps with the case's time.
    signer._modify_request_before_signing(request)
    case['canonical_request'] = signer.canonical_request(request)
    case['string_to_sign'] = signer.string_to_sign(request, case['canonical_request'])
    signer._inject_signature_to_request(
        request, signer.signature(case['string_to_sign'], request))
    case['authorization'] = request.headers['Authorization']
    print(json.dumps(case))
