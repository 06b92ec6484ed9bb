# Shell functions shared by the scripts in this folder; source it, do not run it.

# The project's root, whatever the caller's working directory.
# shellcheck disable=SC2034
DYNOMITE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Test credentials for DynamoDB Local. It only accepts access key ids made of letters and digits.
DYNOMITE_TEST_ACCESS_KEY_ID="AKIDDYNOMITETEST"
DYNOMITE_TEST_SECRET_ACCESS_KEY="dynomite-local-test-secret"
DYNOMITE_TEST_REGION="us-east-1"

dyn_log() {
    printf '%s: %s\n' "${DYN_PROG:-$(basename "$0")}" "$*" >&2
}

dyn_die() {
    dyn_log "error: $*"
    exit 1
}

# Prints the command prefix that runs a command as root: nothing when already root, else sudo.
dyn_root_prefix() {
    if [[ "$(id -u)" -eq 0 ]]; then
        return 0
    fi
    if command -v sudo >/dev/null 2>&1; then
        printf 'sudo'
        return 0
    fi
    dyn_die "installing packages needs root, and sudo is not installed"
}

# Sets up the Meson build folder $1 with the options that follow, or sets them on it when it
# exists, keeping its other options.
dyn_meson_configure() {
    local dir="$1"
    shift
    if [[ ! -f "$dir/meson-private/coredata.dat" ]]; then
        meson setup "$dir" "$@" >&2
    else
        meson configure "$dir" "$@" >&2
    fi
}

# Sets the test credentials and region in the environment, keeping any the user set.
dyn_export_test_credentials() {
    export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-$DYNOMITE_TEST_ACCESS_KEY_ID}"
    export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-$DYNOMITE_TEST_SECRET_ACCESS_KEY}"
    export AWS_REGION="${AWS_REGION:-${AWS_DEFAULT_REGION:-$DYNOMITE_TEST_REGION}}"
    # Tests reach only loopback: never the instance metadata address.
    export AWS_EC2_METADATA_DISABLED=true
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
dyn_port_open() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# Prints a TCP port in 20000-60000 that nothing listens on. Another process may still take it
# before the caller binds it, so callers retry on a failed bind.
dyn_free_port() {
    local port
    for _ in $(seq 1 100); do
        port=$((20000 + (RANDOM * 32768 + RANDOM) % 40001))
        if ! dyn_port_open "$port"; then
            printf '%s\n' "$port"
            return 0
        fi
    done
    dyn_die "found no free TCP port on 127.0.0.1 in 100 attempts"
}

# Sends one HTTP request to 127.0.0.1:PORT and prints the whole response; the request's
# headers come as "Name: value" arguments after the method, path and body.
# Usage: dyn_http PORT METHOD PATH BODY [HEADER...]
dyn_http() {
    local port="$1" method="$2" path="$3" body="$4"
    shift 4
    local request header
    request="$method $path HTTP/1.1"$'\r\n'"Host: 127.0.0.1:$port"$'\r\n'
    for header in "$@"; do
        request+="$header"$'\r\n'
    done
    request+="Content-Length: ${#body}"$'\r\n'"Connection: close"$'\r\n'$'\r\n'"$body"
    (
        exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
        printf '%s' "$request" >&3
        timeout 10 cat <&3
    ) 2>/dev/null
}

# True when 127.0.0.1:PORT answers an HTTP request (any status: DynamoDB Local refuses an
# unsigned ListTables, which still shows it is serving).
dyn_http_answers() {
    local response
    response="$(dyn_http "$1" POST / '{}' \
        'Content-Type: application/x-amz-json-1.0' \
        'X-Amz-Target: DynamoDB_20120810.ListTables')" || return 1
    [[ "$response" == HTTP/1.1\ * ]]
}

# HMAC-SHA256 of DATA under a hex KEY, in hex.
dyn_hmac_hex() {
    printf '%s' "$2" | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$1" | sed 's/^.*= //'
}

dyn_sha256_hex() {
    printf '%s' "$1" | openssl dgst -sha256 | sed 's/^.*= //'
}

# Prints the SigV4 Authorization header value for a DynamoDB POST / with the headers
# content-type, host, x-amz-date and x-amz-target, written independently of the SDK's signer.
# Usage: dyn_sigv4_authorization HOST AMZ_DATE TARGET BODY ACCESS_KEY_ID SECRET REGION
dyn_sigv4_authorization() {
    local host="$1" amz_date="$2" target="$3" body="$4" key_id="$5" secret="$6" region="$7"
    local day="${amz_date:0:8}" signed="content-type;host;x-amz-date;x-amz-target"
    local canonical scope string_to_sign key
    canonical="POST"$'\n'"/"$'\n'$'\n'
    canonical+="content-type:application/x-amz-json-1.0"$'\n'"host:$host"$'\n'
    canonical+="x-amz-date:$amz_date"$'\n'"x-amz-target:$target"$'\n'$'\n'
    canonical+="$signed"$'\n'"$(dyn_sha256_hex "$body")"
    scope="$day/$region/dynamodb/aws4_request"
    string_to_sign="AWS4-HMAC-SHA256"$'\n'"$amz_date"$'\n'"$scope"$'\n'
    string_to_sign+="$(dyn_sha256_hex "$canonical")"
    key="$(printf '%s' "AWS4$secret" | od -An -v -tx1 | tr -d ' \n')"
    key="$(dyn_hmac_hex "$key" "$day")"
    key="$(dyn_hmac_hex "$key" "$region")"
    key="$(dyn_hmac_hex "$key" dynamodb)"
    key="$(dyn_hmac_hex "$key" aws4_request)"
    printf 'AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s\n' \
        "$key_id" "$scope" "$signed" "$(dyn_hmac_hex "$key" "$string_to_sign")"
}
