<?php
// Stand-in for EasyWeChat 6's payment Application (w7corp/easywechat): the required
// keys of src/Pay/Config.php, how src/Pay/Application.php::getMerchant reads the config
// and how src/Pay/Merchant.php::normalizePlatformCerts keys platform certificates.
// Stricter than upstream in one way: upstream takes a path that does not exist as PEM
// text (and fails much later); here every path must exist and parse.

namespace EasyWeChat\Pay {
    class Application
    {
        public array $platformCerts = [];

        public function __construct(public array $config)
        {
            $missing = [];
            foreach (['mch_id', 'secret_key', 'private_key', 'certificate'] as $key) {
                if (empty($config[$key])) {
                    $missing[] = $key;
                }
            }
            if ($missing) {
                throw new \InvalidArgumentException(sprintf("\"%s\" cannot be empty.\r\n", implode(',', $missing)));
            }
        }

        private static function existing(string $what, $path): string
        {
            if (!is_string($path) || !is_file($path)) {
                throw new \InvalidArgumentException("$what: no such file: " . var_export($path, true));
            }
            return $path;
        }

        /** getMerchant(), reduced to what it loads. */
        public function getMerchant(): array
        {
            $key = openssl_pkey_get_private('file://' . self::existing('private_key', $this->config['private_key']));
            $cert = openssl_x509_read('file://' . self::existing('certificate', $this->config['certificate']));
            if ($key === false || $cert === false) {
                throw new \InvalidArgumentException('private_key or certificate does not parse');
            }
            $certs = [];
            $platform = isset($this->config['platform_certs']) ? (array) $this->config['platform_certs'] : [];
            $isList = array_is_list($platform);
            foreach ($platform as $index => $path) {
                self::existing("platform_certs[$index]", $path);
                if ($isList) {
                    $info = openssl_x509_parse('file://' . $path);
                    if ($info === false) {
                        throw new \InvalidArgumentException('Read the $certificate failed, please check it whether or nor correct');
                    }
                    $certs[strtoupper($info['serialNumberHex'])] = $path;
                } else {
                    if (openssl_pkey_get_public('file://' . $path) === false) {
                        throw new \InvalidArgumentException("platform_certs[$index] is not a public key");
                    }
                    $certs[$index] = $path;
                }
            }
            $this->platformCerts = $certs;
            return ['key' => $key, 'cert' => $cert];
        }
    }
}

namespace {
    // Runner: php easywechat6.php <export file>
    if (realpath($argv[0] ?? '') === __FILE__) {
        $config = require $argv[1];
        $app = new \EasyWeChat\Pay\Application($config);
        $m = $app->getMerchant();
        echo json_encode([
            'mch_id' => (string) $config['mch_id'],
            'secret_key' => $config['secret_key'],
            'v2_secret_key' => $config['v2_secret_key'] ?? null,
            'platform_certs' => array_map('strval', array_keys($app->platformCerts)),
            'key_matches_cert' => openssl_x509_check_private_key($m['cert'], $m['key']),
        ], JSON_UNESCAPED_UNICODE | JSON_UNESCAPED_SLASHES), "\n";
    }
}
