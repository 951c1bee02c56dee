package io.peregrine.gateway.discovery;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.resolver.dns.DnsNameResolver;
import io.netty.resolver.dns.DnsNameResolverBuilder;
import io.netty.resolver.dns.DnsServerAddressStreamProviders;
import io.netty.resolver.dns.NoopDnsCache;
import io.netty.resolver.dns.NoopDnsCnameCache;
import io.netty.resolver.dns.SingletonDnsServerAddressStreamProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Looks an upstream's endpoints up in DNS with Netty's resolver, without its caches (the TTLs
 * decide when to ask again, here), and without the hosts file.
 */
final class DnsEndpointSource extends SourceLoop {

    private final DnsDiscovery settings;
    private final EventLoopGroup loop;
    private final DnsNameResolver resolver;

    DnsEndpointSource(String upstream, DnsDiscovery settings) {
        super(upstream, settings.toString());
        this.settings = settings;
        this.loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("peregrine-discovery-dns", true),
                NioIoHandler.newFactory());
        DnsNameResolverBuilder b = new DnsNameResolverBuilder(loop.next())
                .datagramChannelType(NioDatagramChannel.class)
                .resolveCache(NoopDnsCache.INSTANCE)
                .cnameCache(NoopDnsCnameCache.INSTANCE)
                .hostsFileEntriesResolver((host, types) -> null)
                .searchDomains(List.of())
                .ndots(1)
                .queryTimeoutMillis(settings.queryTimeout().toMillis())
                .nameServerProvider(settings.resolver() != null
                        ? new SingletonDnsServerAddressStreamProvider(settings.resolver())
                        : DnsServerAddressStreamProviders.platformDefault());
        this.resolver = b.build();
    }

    @Override
    long step() throws Exception {
        long[] ttl = {Long.MAX_VALUE};
        Set<String> targets = new LinkedHashSet<>();
        if (settings.srv()) {
            for (DnsRecord r : query(settings.name(), DnsRecordType.SRV)) {
                ttl[0] = Math.min(ttl[0], r.timeToLive());
                ByteBuf content = ((ByteBufHolder) r).content().duplicate();
                if (content.readableBytes() <= 6) {
                    continue;
                }
                content.skipBytes(4); // priority and weight: every endpoint takes calls, the balancer decides
                int port = content.readUnsignedShort();
                String target = DefaultDnsRecordDecoder.decodeName(content);
                if (target.endsWith(".")) {
                    target = target.substring(0, target.length() - 1);
                }
                if (port == 0 || target.isEmpty()) {
                    continue;
                }
                for (InetAddress a : addresses(target, ttl)) {
                    targets.add(settings.template().url(a, port));
                }
            }
        } else {
            for (InetAddress a : addresses(settings.name(), ttl)) {
                targets.add(settings.template().url(a, settings.port()));
            }
        }
        if (targets.isEmpty()) {
            throw new UnknownHostException(settings.name() + " has no " + (settings.srv() ? "SRV" : "A/AAAA")
                    + " records that give an endpoint");
        }
        found(new ArrayList<>(targets));
        long wait = ttl[0] == Long.MAX_VALUE ? settings.maxRefresh().toMillis() : TimeUnit.SECONDS.toMillis(ttl[0]);
        return Math.max(settings.minRefresh().toMillis(), Math.min(settings.maxRefresh().toMillis(), wait));
    }

    /** The A and AAAA addresses of {@code host}; lowers {@code ttl[0]} to the shortest TTL seen. */
    private List<InetAddress> addresses(String host, long[] ttl) throws Exception {
        List<InetAddress> found = new ArrayList<>();
        Exception failure = null;
        for (DnsRecordType type : List.of(DnsRecordType.A, DnsRecordType.AAAA)) {
            List<DnsRecord> records;
            try {
                records = query(host, type);
            } catch (Exception e) {
                failure = e;
                continue;
            }
            for (DnsRecord r : records) {
                ByteBuf content = ((ByteBufHolder) r).content();
                int length = content.readableBytes();
                if (length != 4 && length != 16) {
                    continue;
                }
                byte[] bytes = new byte[length];
                content.getBytes(content.readerIndex(), bytes);
                found.add(InetAddress.getByAddress(host, bytes));
                ttl[0] = Math.min(ttl[0], r.timeToLive());
            }
        }
        if (found.isEmpty() && failure != null) {
            throw failure;
        }
        return found;
    }

    /** The answer's records of {@code type}, copied out of the message. */
    private List<DnsRecord> query(String name, DnsRecordType type) throws Exception {
        List<DnsRecord> answer = resolver.resolveAll(new DefaultDnsQuestion(name.endsWith(".") ? name : name + ".", type))
                .sync().getNow();
        List<DnsRecord> copies = new ArrayList<>();
        try {
            for (DnsRecord r : answer) {
                if (r.type().equals(type) && r instanceof ByteBufHolder) {
                    copies.add(new io.netty.handler.codec.dns.DefaultDnsRawRecord(r.name(), r.type(), r.dnsClass(),
                            r.timeToLive(), io.netty.buffer.Unpooled.copiedBuffer(((ByteBufHolder) r).content())));
                }
            }
        } finally {
            answer.forEach(ReferenceCountUtil::release);
        }
        return copies;
    }

    @Override
    void abort() {
        resolver.close();
        loop.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
    }
}
