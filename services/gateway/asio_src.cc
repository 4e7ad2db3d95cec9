// Asio and Beast compiled once, here, instead of in every file that includes them
// (BOOST_ASIO_SEPARATE_COMPILATION / BOOST_BEAST_SEPARATE_COMPILATION, set on the library).
// Beast is slow to compile; on a shared two-core build machine this matters.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
