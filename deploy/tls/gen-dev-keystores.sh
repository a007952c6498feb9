#!/usr/bin/env bash
# Development-only TLS material for cluster traffic (conf/cluster-tls.conf): one CA, and one key
# pair per node signed by it, as PKCS12 stores. Needs only the JDK's keytool.
#   deploy/tls/gen-dev-keystores.sh OUT_DIR PASSWORD [NODES]
set -euo pipefail
out=${1:?output directory}; pass=${2:?password}; nodes=${3:-3}
mkdir -p "$out"
kt() { keytool -noprompt "$@" >/dev/null 2>&1; }
kt -genkeypair -alias ca -keyalg EC -groupname secp256r1 -dname "CN=clearhouse-dev-ca" \
  -ext bc:c -validity 365 -keystore "$out/ca.p12" -storetype PKCS12 -storepass "$pass"
kt -exportcert -alias ca -rfc -file "$out/ca.pem" -keystore "$out/ca.p12" -storepass "$pass"
kt -importcert -alias ca -file "$out/ca.pem" -keystore "$out/truststore.p12" -storetype PKCS12 -storepass "$pass"
for n in $(seq 1 "$nodes"); do
  ks="$out/node-$n.p12"
  kt -genkeypair -alias node -keyalg EC -groupname secp256r1 -dname "CN=clearhouse-node-$n" \
    -validity 365 -keystore "$ks" -storetype PKCS12 -storepass "$pass"
  kt -certreq -alias node -file "$out/node-$n.csr" -keystore "$ks" -storepass "$pass"
  kt -gencert -alias ca -infile "$out/node-$n.csr" -outfile "$out/node-$n.pem" -rfc \
    -ext ku:c=digitalSignature,keyAgreement -ext eku=serverAuth,clientAuth -validity 365 \
    -keystore "$out/ca.p12" -storepass "$pass"
  kt -importcert -alias ca -file "$out/ca.pem" -keystore "$ks" -storepass "$pass"
  kt -importcert -alias node -file "$out/node-$n.pem" -keystore "$ks" -storepass "$pass"
  rm -f "$out/node-$n.csr"
done
echo "stores in $out: truststore.p12, node-1.p12 .. node-$nodes.p12"
