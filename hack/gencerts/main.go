// Command gencerts generates the key material of the local control plane: a CA, a
// serving certificate for 127.0.0.1 (kube-apiserver, kube-scheduler,
// kube-controller-manager and the kubelets, fake or real, share it), a client certificate
// the apiserver presents to the kubelets, the client certificates of the scheduler and
// the controller-manager, and the service-account signing key pair. With NODE, also the client certificate a real kubelet
// registers node NODE with (node.crt: system:node:NODE in group system:nodes). Written in
// Go so the scripts need nothing but the Go toolchain they already build with.
//
//	go run ./hack/gencerts DIR [NODE]
package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

func main() {
	if len(os.Args) != 2 && len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go run ./hack/gencerts DIR [NODE]")
		os.Exit(2)
	}
	node := ""
	if len(os.Args) == 3 {
		node = os.Args[2]
	}
	if err := generate(os.Args[1], node); err != nil {
		fmt.Fprintln(os.Stderr, "gencerts:", err)
		os.Exit(1)
	}
}

func generate(dir, node string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now().Add(-time.Hour)
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "kubectl-debugger-local-ca"},
		NotBefore:             now,
		NotAfter:              now.Add(10 * 365 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, "ca.crt"), "CERTIFICATE", caDER); err != nil {
		return err
	}

	type leaf struct {
		name  string
		cn    string
		org   []string
		usage x509.ExtKeyUsage
	}
	leaves := []leaf{
		{"serving", "127.0.0.1", nil, x509.ExtKeyUsageServerAuth},
		// The apiserver authenticates to the kubelet API with this one.
		{"kubelet-client", "kube-apiserver-kubelet-client", []string{"system:masters"}, x509.ExtKeyUsageClientAuth},
		// The users the apiserver's default RBAC policy grants what each component needs.
		{"scheduler", "system:kube-scheduler", nil, x509.ExtKeyUsageClientAuth},
		{"controller-manager", "system:kube-controller-manager", nil, x509.ExtKeyUsageClientAuth},
	}
	if node != "" {
		// The names the apiserver's RBAC (hack/lib/node.sh binds system:node to the user)
		// and kubelet conventions expect of a node's identity.
		leaves = append(leaves, leaf{"node", "system:node:" + node, []string{"system:nodes"}, x509.ExtKeyUsageClientAuth})
	}
	for i, l := range leaves {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(int64(i + 2)),
			Subject:      pkix.Name{CommonName: l.cn, Organization: l.org},
			NotBefore:    now,
			NotAfter:     now.Add(10 * 365 * 24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
			ExtKeyUsage:  []x509.ExtKeyUsage{l.usage},
		}
		if l.usage == x509.ExtKeyUsageServerAuth {
			tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
			tmpl.DNSNames = []string{"localhost"}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			return err
		}
		keyDER, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return err
		}
		if err := writePEM(filepath.Join(dir, l.name+".crt"), "CERTIFICATE", der); err != nil {
			return err
		}
		if err := writePEM(filepath.Join(dir, l.name+".key"), "PRIVATE KEY", keyDER); err != nil {
			return err
		}
	}

	// RSA, because it is what every token verifier accepts.
	saKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	pub, err := x509.MarshalPKIXPublicKey(&saKey.PublicKey)
	if err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, "sa.key"), "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(saKey)); err != nil {
		return err
	}
	return writePEM(filepath.Join(dir, "sa.pub"), "PUBLIC KEY", pub)
}

func writePEM(path, kind string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600)
}
