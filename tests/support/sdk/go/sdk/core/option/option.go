// Package option stands in for wechatpay-go's core/option: the two constructors an
// export uses, with upstream's signatures (core/option/auth_cipher_option.go).
package option

import (
	"crypto/rsa"
	"errors"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
)

type settingsOption func(*core.DialSettings) error

func (f settingsOption) Apply(s *core.DialSettings) error { return f(s) }

// WithWechatPayAutoAuthCipher is certificate mode (upstream downloads platform certificates).
func WithWechatPayAutoAuthCipher(
	mchID string, certificateSerialNo string, privateKey *rsa.PrivateKey, mchAPIv3Key string,
) core.ClientOption {
	return settingsOption(func(s *core.DialSettings) error {
		if len(mchAPIv3Key) != 32 {
			return errors.New("the APIv3 key must be 32 bytes")
		}
		s.MchID, s.CertificateSerialNo, s.PrivateKey, s.MchAPIv3Key = mchID, certificateSerialNo, privateKey, mchAPIv3Key
		return nil
	})
}

// WithWechatPayPublicKeyAuthCipher is public-key mode.
func WithWechatPayPublicKeyAuthCipher(
	mchID, certificateSerialNo string, privateKey *rsa.PrivateKey, publicKeyID string, publicKey *rsa.PublicKey,
) core.ClientOption {
	return settingsOption(func(s *core.DialSettings) error {
		if publicKey == nil || publicKeyID == "" {
			return errors.New("public key and its ID are required")
		}
		s.MchID, s.CertificateSerialNo, s.PrivateKey = mchID, certificateSerialNo, privateKey
		s.PublicKeyID, s.PublicKey = publicKeyID, publicKey
		return nil
	})
}
