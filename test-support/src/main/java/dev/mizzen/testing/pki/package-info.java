/** Keys and certificate requests for tests of the certificate authority and the secure port. */
package dev.mizzen.testing.pki;
