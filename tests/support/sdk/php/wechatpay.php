<?php
// Stand-ins for wechatpay-php (composer package wechatpay/wechatpay): Rsa::from and
// Builder::factory with upstream's names and start-up checks (src/Crypto/Rsa.php,
// src/ClientJsonTrait.php::jsonBased), no network. Loading a key really uses OpenSSL.

namespace WeChatPay\Crypto {
    final class Rsa
    {
        public const KEY_TYPE_PUBLIC = 'public';
        public const KEY_TYPE_PRIVATE = 'private';

        /** @return \OpenSSLAsymmetricKey */
        public static function from($thing, string $type = self::KEY_TYPE_PRIVATE)
        {
            $isPublic = $type === self::KEY_TYPE_PUBLIC;
            $pkey = $isPublic ? @openssl_pkey_get_public($thing) : @openssl_pkey_get_private($thing);
            if (false === $pkey) {
                throw new \UnexpectedValueException(sprintf(
                    'Cannot load %s from(%s), please take care about the $thing input: %s',
                    $isPublic ? 'publicKey' : 'privateKey', gettype($thing), is_string($thing) ? $thing : ''
                ));
            }
            return $pkey;
        }
    }
}

namespace WeChatPay {
    final class Builder
    {
        /** The config the export built, for the test to look at. */
        public static array $lastConfig = [];

        public static function factory(array $config = []): object
        {
            if (!(isset($config['mchid']) && is_string($config['mchid']))) {
                throw new \InvalidArgumentException('The merchant\'s ID aka `mchid` is required, usually numerical.');
            }
            if (!(isset($config['serial']) && is_string($config['serial']))) {
                throw new \InvalidArgumentException('The serial number of the merchant\'s certificate aka `serial` is required, usually hexadecial.');
            }
            if (!(isset($config['privateKey']) && (is_string($config['privateKey']) || is_object($config['privateKey'])))) {
                throw new \InvalidArgumentException('The merchant\'s private key aka `privateKey` is required.');
            }
            if (!(isset($config['certs']) && is_array($config['certs']) && count($config['certs']))) {
                throw new \InvalidArgumentException('The platform certificate(s) aka `certs` is required, paired as of `[$serial => $certificate]`.');
            }
            if (array_key_exists($config['serial'], $config['certs'])) {
                throw new \InvalidArgumentException('The `certs` contains the merchant\'s certificate serial number which is not allowed here.');
            }
            foreach ($config['certs'] as $serial => $cert) {
                if (!is_object($cert)) {
                    throw new \InvalidArgumentException("certs[$serial] is not a loaded key");
                }
            }
            self::$lastConfig = $config;
            return new \stdClass();
        }
    }
}

namespace {
    // Runner: php wechatpay.php <export file>; prints what the SDK was given as JSON.
    if (realpath($argv[0] ?? '') === __FILE__) {
        $file = $argv[1];
        require $file;
        $c = \WeChatPay\Builder::$lastConfig;
        $cert = file_get_contents(dirname($file) . '/apiclient_cert.pem');
        echo json_encode([
            'mchid' => $c['mchid'],
            'serial' => $c['serial'],
            'certs' => array_map('strval', array_keys($c['certs'])),
            'secret' => $c['secret'] ?? null,
            'key_matches_cert' => openssl_x509_check_private_key($cert, $c['privateKey']),
        ], JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
    }
}
