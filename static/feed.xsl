<?xml version="1.0" encoding="UTF-8"?>
<!-- A feed opened in a browser, as a page a person can read: what the feed is, how to
     subscribe, and its entries. Feed readers ignore this stylesheet; the feed is unchanged.
     One stylesheet for Atom 1.0 and RSS 2.0 (the site serves both from the same entries). -->
<xsl:stylesheet version="1.0"
    xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:atom="http://www.w3.org/2005/Atom">
  <xsl:output method="html" encoding="UTF-8" indent="yes"
      doctype-system="about:legacy-compat"/>

  <xsl:variable name="title" select="/atom:feed/atom:title | /rss/channel/title"/>
  <xsl:variable name="page"
      select="/atom:feed/atom:link[@rel='alternate']/@href | /rss/channel/link"/>
  <xsl:variable name="self"
      select="/atom:feed/atom:link[@rel='self']/@href | /rss/channel/atom:link[@rel='self']/@href"/>

  <xsl:template match="/">
    <html lang="zh-Hans">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="$title"/></title>
        <link rel="stylesheet" href="/static/css/site.css"/>
      </head>
      <body>
        <main id="main" class="feed-page">
          <p class="feed-kind">订阅源 · Feed</p>
          <h1><xsl:value-of select="$title"/></h1>
          <section class="feed-howto" aria-labelledby="howto">
            <h2 id="howto">如何订阅 · How to subscribe</h2>
            <p>这是一个订阅源（RSS/Atom），不是网页：把下面的地址复制到阅读器（如 Feedly、Inoreader、NetNewsWire、Thunderbird），有新记录时阅读器会自动收到。</p>
            <p lang="en">This is a news feed, not a web page. Copy the address below into a feed reader to be told of every new entry.</p>
            <p class="feed-url"><code><xsl:value-of select="$self"/></code></p>
            <p>
              <a href="{$page}">打开对应的网页 · Open the page this feed follows</a>
              <xsl:text> · </xsl:text>
              <a href="/journalists">记者与研究者指南 · Guide for journalists</a>
            </p>
          </section>
          <p class="feed-note"><xsl:value-of select="/atom:feed/atom:subtitle | /rss/channel/description"/></p>
          <h2>最新记录 · Latest entries</h2>
          <ol class="feed-entries">
            <xsl:apply-templates select="/atom:feed/atom:entry | /rss/channel/item"/>
          </ol>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="atom:entry">
    <li>
      <xsl:if test="atom:category[@term='simulated']">
        <xsl:attribute name="class">simulated</xsl:attribute>
      </xsl:if>
      <h3><a href="{atom:link/@href}"><xsl:value-of select="atom:title"/></a></h3>
      <p class="feed-date"><time><xsl:value-of select="substring(atom:published, 1, 16)"/></time></p>
      <p><xsl:value-of select="atom:summary"/></p>
    </li>
  </xsl:template>

  <xsl:template match="item">
    <li>
      <xsl:if test="category[@domain='urn:minsheng:labels']">
        <xsl:attribute name="class">simulated</xsl:attribute>
      </xsl:if>
      <h3><a href="{link}"><xsl:value-of select="title"/></a></h3>
      <p class="feed-date"><time><xsl:value-of select="pubDate"/></time></p>
      <p><xsl:value-of select="description"/></p>
    </li>
  </xsl:template>
</xsl:stylesheet>
