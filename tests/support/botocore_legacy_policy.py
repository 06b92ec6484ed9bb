#!/usr/bin/python3
"""Prints botocore's legacy retry policy for DynamoDB, as its translate.build_retry_config
resolves _retry.json. Output lines: "max_attempts N", "delay BASE GROWTH", then one line per
policy: "status S", "code S CODE", "crc32" or "socket". Exits with 77 without botocore."""
import sys

try:
    from botocore import translate
    from botocore.loaders import Loader
except ImportError:
    sys.exit(77)

data = Loader().load_data('_retry')
config = translate.build_retry_config('dynamodb', data['retry'], data['definitions'])['__default__']
print("max_attempts %d" % config['max_attempts'])
print("delay %r %r" % (float(config['delay']['base']), float(config['delay']['growth_factor'])))
for policy in config['policies'].values():
    when = policy['applies_when']
    if 'socket_errors' in when:
        print("socket")
    elif 'crc32body' in when.get('response', {}):
        print("crc32")
    elif 'service_error_code' in when['response']:
        print("code %d %s" % (when['response']['http_status_code'],
                              when['response']['service_error_code']))
    else:
        print("status %d" % when['response']['http_status_code'])
