// Package core stands in for wechatpay-go's core package: NewClient and ClientOption with
// upstream's signatures (core/client.go); no network.
package core

import (
	"context"
	"crypto/rsa"
	"fmt"
)

// DialSettings holds what the options set (upstream: core.DialSettings, reduced).
type DialSettings struct {
	MchID               string
	CertificateSerialNo string
	PrivateKey          *rsa.PrivateKey
	MchAPIv3Key         string
	PublicKeyID         string
	PublicKey           *rsa.PublicKey
}

// ClientOption is upstream's interface.
type ClientOption interface {
	Apply(settings *DialSettings) error
}

// ErrorOption is upstream's error-carrying option.
type ErrorOption struct{ Error error }

// Apply returns the error.
func (w ErrorOption) Apply(*DialSettings) error { return w.Error }

// Client is the SDK client, here only its settings.
type Client struct{ settings DialSettings }

// NewClient applies the options as upstream does and checks the signer is complete.
func NewClient(ctx context.Context, opts ...ClientOption) (*Client, error) {
	var s DialSettings
	for _, o := range opts {
		if err := o.Apply(&s); err != nil {
			return nil, fmt.Errorf("init client setting err:%v", err)
		}
	}
	if s.MchID == "" || s.CertificateSerialNo == "" || s.PrivateKey == nil {
		return nil, fmt.Errorf("init client setting err: signer incomplete")
	}
	return &Client{settings: s}, nil
}

// Describe is not upstream: what the client holds, one key=value a line, for the test.
func (c *Client) Describe() string {
	s := c.settings
	out := fmt.Sprintf("mchID=%s\nserial=%s\napiV3Key=%s\npublicKeyID=%s\n", s.MchID, s.CertificateSerialNo, s.MchAPIv3Key, s.PublicKeyID)
	if s.PublicKey != nil {
		match := s.PublicKey.N.Cmp(s.PrivateKey.PublicKey.N) == 0
		out += fmt.Sprintf("publicKey=loaded\npublicKeyIsMerchants=%v\n", match)
	}
	return out
}
